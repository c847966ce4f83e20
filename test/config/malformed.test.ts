/**
 * The rules run even when the shape already failed (to report every problem at once),
 * so they must cope with any value in any place: every malformed input gets
 * issues with messages (the loader turns them into a ConfigError), never a crash.
 */
import { expect, test } from "vitest";
import { parse as parseYaml } from "yaml";
import { checkConfig } from "../../src/config/validate.js";
import { aws, hosts } from "./fixtures.js";

const ODD_VALUES: unknown[] = [null, 0, 7, -1, "x", "", true, [], [null], [1, "a"], {}, { enabled: "yes" }, [{}], [{ roles: "etcd" }]];

const PLACES = [
  "region", "zones", "network", "network.vpcCidr", "network.publicSubnets", "network.podCidr", "network.serviceCidr",
  "kubernetes.version", "etcd", "etcd.count", "controlPlane.count", "workers", "workers.min", "workers.max",
  "images", "images.build", "ssh", "ssh.bastion", "ssh.bastion.enabled", "ssh.bastion.allowedCidrs", "dns", "addons",
  "addons.istio", "addons.istio.observability", "addons.metricbeat", "addons.cilium.ipam", "ecr.repositories", "rds", "rds.username", "hosts",
];

function setIn(target: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const keys = path.split(".");
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== "object" || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
  return target;
}

test.each([["AWS", aws()], ["hosts", hosts()]])("%s config: any odd value anywhere is rejected with messages or valid, never a crash", (_kind, text) => {
  const base = parseYaml(text) as Record<string, unknown>;
  let rejected = 0;
  for (const place of PLACES)
    for (const value of ODD_VALUES) {
      const data = setIn(structuredClone(base), place, value);
      const what = `${place} = ${JSON.stringify(value)}`;
      let result: ReturnType<typeof checkConfig>;
      try {
        result = checkConfig(data);
      } catch (error) {
        throw new Error(`${what} crashed the validation: ${String(error)}`);
      }
      if (result.success) continue;
      rejected++;
      if (result.issues.length === 0 || result.issues.some((i) => !i.message)) throw new Error(`${what}: rejected without a message`);
    }
  expect(rejected).toBeGreaterThan(PLACES.length * ODD_VALUES.length * 0.8);
});
