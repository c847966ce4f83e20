/**
 * The whole AWS infrastructure of a cluster, as the create workflow lists it (network,
 * security, edge, machines, optional; the AMIs given), against the fake: the step graph
 * is valid for several configs, everything is created once, and a second run plans and
 * writes nothing.
 */
import { describe, expect, it } from "vitest";
import { validateGraph } from "../../../src/engine/graph.js";
import type { ClusterConfig } from "../../../src/config/schema.js";
import type { Step } from "../../../src/engine/types.js";
import type { KxContext } from "../../../src/steps/context.js";
import { imageSteps } from "../../../src/steps/images/index.js";
import { networkSteps } from "../../../src/steps/network/index.js";
import { securitySteps } from "../../../src/steps/security/index.js";
import { edgeSteps } from "../../../src/steps/edge/index.js";
import { machineSteps } from "../../../src/steps/machines/index.js";
import { optionalSteps } from "../../../src/steps/optional/index.js";
import { applyAll, fakeAwsClients, planAll, testContext } from "../context.js";
import { useFakeAws } from "../use-fake-aws.js";
import { machinesConfig, sshKeyOnDisk, testHosts } from "./world.js";

const key = sshKeyOnDisk();
const fake = useFakeAws({ cleanup: key.cleanup });

function infrastructure(config: ClusterConfig): Step<KxContext>[] {
  return [...networkSteps(config), ...securitySteps(config), ...edgeSteps(config), ...machineSteps(config), ...optionalSteps(config)];
}

describe("the infrastructure steps together", () => {
  it("form a valid graph with the images steps, for every shape of config", () => {
    const shapes = [
      machinesConfig(key.privateKeyFile),
      machinesConfig(key.privateKeyFile, { ssh: { privateKeyFile: key.privateKeyFile, bastion: { enabled: false } } }),
      machinesConfig(key.privateKeyFile, { etcd: { count: 5 }, controlPlane: { count: 1 }, rds: { enabled: true }, ecr: { repositories: ["web"] } }),
    ];
    for (const config of shapes) expect(() => validateGraph([...imageSteps(config), ...infrastructure(config)])).not.toThrow();
  });

  it("are created once, and a second run plans nothing and writes nothing", async () => {
    const config = machinesConfig(key.privateKeyFile, { rds: { enabled: true }, ecr: { repositories: ["web"] } });
    fake().setHosts(testHosts(["etcd-a", "etcd-b", "etcd-c", "master-a", "master-b", "master-c", "lab-bastion"]));
    const aws = await fakeAwsClients(fake().url);
    const secrets = new Map<string, string>();
    const { Secret } = await import("../../../src/engine/secret.js");
    const ctx = testContext({
      config,
      aws,
      outputs: {
        "images/node": { amiId: fake().registerImage({ name: "kx-node" }) },
        "images/etcd": { amiId: fake().registerImage({ name: "kx-etcd" }) },
      },
      secrets: {
        get: async (n) => (secrets.has(n) ? new Secret(secrets.get(n)!) : undefined),
        put: async (n, v) => void secrets.set(n, typeof v === "string" ? v : v.reveal()),
        list: async (p) => [...secrets.keys()].filter((k) => k.startsWith(p)),
        delete: async (n) => void secrets.delete(n),
      },
    });
    const steps = infrastructure(config);
    await applyAll(ctx, steps);

    const inventory = fake().inventory() as Record<string, any[]>;
    const instances = (inventory.instance ?? []).filter((i) => i.state === "running");
    // The workers are the autoscaling group's, launched by it from the template.
    expect(instances.map((i) => i.tags.Name).sort()).toEqual([
      "etcd-a", "etcd-b", "etcd-c", "lab-bastion", "lab-worker", "lab-worker", "lab-worker", "master-a", "master-b", "master-c",
    ]);
    const workers = instances.filter((i) => i.tags.Name === "lab-worker");
    expect(workers.every((i) => i.tags["kubernetes.io/cluster/lab"] === "owned" && i.tags["kx:cluster"] === "lab")).toBe(true);
    expect(workers.every((i) => i.metadata.httpTokens === "required" && i.metadata.httpPutResponseHopLimit === 1)).toBe(true);
    expect(new Set(workers.map((i) => i.availabilityZone)).size).toBe(3);
    // Every machine kx made boots from an encrypted gp3 volume.
    expect(instances.flatMap((i) => i.volumes).every((v: any) => v.encrypted && v.volumeType === "gp3")).toBe(true);
    // Nothing but the bastion has a public address.
    expect(instances.filter((i) => i.publicIp).map((i) => i.tags.Name)).toEqual(["lab-bastion"]);

    const writes = fake().counts().writes;
    expect(await planAll(ctx, steps)).toEqual({});
    await applyAll(ctx, steps);
    expect(fake().counts().writes).toBe(writes);
  });
});
