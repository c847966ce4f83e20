// @ts-check
/**
 * The fake cloud's data plane on the test hosts. The fake AWS endpoint records what kx
 * asks for; this makes the instances it maps to test hosts behave as EC2 machines do:
 *
 *   const cloud = await connectCloud({ fake, testHosts });   // … kx runs …
 *   await cloud.stop();
 *
 * - VPC DNS: every host's /etc/hosts learns the instances' private DNS names, the load
 *   balancers' DNS names, the A and alias records of private hosted zones, and the AWS
 *   API's regional names (./aws-endpoint.js);
 * - load balancers: each listener serves on the load balancer's own address (from .200
 *   of the hosts' block) and forwards to its targets (./nlb.js);
 * - instance metadata: an IMDSv2 server per instance with its role's credentials
 *   (./imds.js);
 * - cloud-init: an instance's user data runs once on its host (./cloud-init.js).
 *
 * It polls the fake's records and lets the fake's world move (settle) as time would
 * between kx's requests, so autoscaling launches go on after kx has exited.
 */
import { join } from "node:path";
import { mkdirSync, writeFileSync } from "node:fs";
import { startImds } from "./imds.js";
import { startListener } from "./nlb.js";
import { startAwsEndpoint } from "./aws-endpoint.js";
import { runUserData } from "./cloud-init.js";

const CA_PATH = "/run/kx/cloud-init/aws-ca.pem";
const FIRST_LB_OCTET = 200;
const AWS_ENDPOINT_OCTET = 254;

/**
 * @param {{ fake: import("../fake-aws/index.js").FakeAws, testHosts: any, pollMs?: number, userDataEnv?: NodeJS.ProcessEnv }} o
 */
export async function connectCloud({ fake, testHosts, pollMs = 200, userDataEnv = {} }) {
  const hosts = [...testHosts.hosts, ...(testHosts.bastion ? [testHosts.bastion] : [])];
  const hostByAddress = new Map(hosts.map((h) => [h.address, h]));
  const aws = await startAwsEndpoint({ address: `${testHosts.addressPrefix}.${AWS_ENDPOINT_OCTET}`, fakePort: fake.port, region: fake.region, dir: testHosts.dir });
  for (const h of hosts) {
    mkdirSync(h.pathOnHost("/run/kx/cloud-init"), { recursive: true, mode: 0o700 });
    writeFileSync(h.pathOnHost(CA_PATH), aws.caPem);
  }
  testHosts.addHostsEntries(aws.hostsEntries);

  /** @type {Record<string, any[]>} */
  let latest = {};
  const known = new Set(); // /etc/hosts lines written
  /** @type {Map<string, { imds: Awaited<ReturnType<typeof startImds>>, host: any }>} */
  const instances = new Map();
  /** @type {Map<string, Awaited<ReturnType<typeof startListener>>>} */
  const listeners = new Map();
  /** @type {Map<string, string>} */
  const lbAddresses = new Map();
  /** @type {import("./cloud-init.js").UserDataRun[]} */
  const runs = [];
  /** @type {string[]} */
  const problems = [];

  const records = (/** @type {string} */ type) => latest[type] ?? [];
  const addDns = (/** @type {string} */ address, /** @type {string} */ name) => {
    const line = `${address} ${name.replace(/\.$/, "")}`;
    if (known.has(line)) return;
    known.add(line);
    testHosts.addHostsEntries([line]);
  };

  /** What a process on the instance finds: its metadata service, and the CA of this cloud's AWS endpoint. */
  // botocore wants the endpoint with its trailing slash.
  const instanceEnv = (/** @type {string} */ imdsUrl) => ({ AWS_EC2_METADATA_SERVICE_ENDPOINT: `${imdsUrl}/`, AWS_CA_BUNDLE: CA_PATH });

  const roleOf = (/** @type {any} */ inst) => {
    const profileName = inst.iamProfile?.arn?.split("/").pop();
    return records("instanceProfile").find((p) => p.name === profileName)?.roles?.[0];
  };

  async function syncInstances() {
    for (const inst of records("instance")) {
      const host = hostByAddress.get(inst.hostAddress);
      if (!host) continue;
      const seen = instances.get(inst.id);
      if (inst.state === "running" && !seen) {
        const imds = await startImds({
          id: inst.id,
          privateIp: inst.privateIp,
          privateDnsName: inst.privateDnsName,
          availabilityZone: inst.availabilityZone,
          region: fake.region,
          httpTokens: inst.metadata?.httpTokens ?? "optional",
          role: roleOf(inst),
        }, fake.issueRoleCredentials);
        instances.set(inst.id, { imds, host });
        addDns(inst.privateIp, inst.privateDnsName);
        if (inst.userData) runs.push(runUserData(host, inst.id, inst.userData, { ...instanceEnv(imds.url), ...userDataEnv }));
      } else if (seen && inst.state === "terminated" && !seen.imds.stopped) {
        await seen.imds.stop();
      }
    }
  }

  async function syncLoadBalancers() {
    for (const lb of records("lb")) {
      if (lb.state !== "active") continue;
      let address = lbAddresses.get(lb.id);
      if (!address) {
        address = `${testHosts.addressPrefix}.${FIRST_LB_OCTET + lbAddresses.size}`;
        lbAddresses.set(lb.id, address);
      }
      addDns(address, lb.dnsName);
      for (const l of records("listener").filter((x) => x.loadBalancerArn === lb.id)) {
        if (listeners.has(l.id)) continue;
        const view = () => {
          const listener = records("listener").find((x) => x.id === l.id);
          const tg = records("tg").find((t) => t.id === listener?.targetGroupArns?.[0]);
          return tg ? { targetType: tg.targetType, targets: tg.targets } : undefined;
        };
        const instanceIp = (/** @type {string} */ id) => records("instance").find((i) => i.id === id)?.privateIp;
        listeners.set(l.id, await startListener(address, l.port, view, instanceIp));
      }
    }
    for (const [id, server] of listeners) {
      if (records("listener").some((x) => x.id === id)) continue;
      listeners.delete(id);
      await server.stop();
    }
  }

  function syncPrivateZones() {
    for (const zone of records("zone").filter((z) => z.private)) {
      for (const r of zone.records) {
        if (r.type !== "A") continue;
        if (r.alias) {
          const target = String(r.alias.dnsName ?? r.alias.DNSName ?? "").replace(/^dualstack\./, "").replace(/\.$/, "");
          const lb = records("lb").find((x) => x.dnsName === target);
          const address = lb && lbAddresses.get(lb.id);
          if (address) addDns(address, r.name);
        } else {
          for (const v of r.values) addDns(v, r.name);
        }
      }
    }
  }

  let stopped = false;
  let timer = /** @type {NodeJS.Timeout | undefined} */ (undefined);
  const poll = async () => {
    try {
      fake.settle(1);
      latest = fake.inventory();
      await syncInstances();
      await syncLoadBalancers();
      syncPrivateZones();
    } catch (e) {
      problems.push(String(/** @type {Error} */ (e)?.stack ?? e));
    }
    if (!stopped) timer = setTimeout(poll, pollMs);
  };
  await poll();

  return {
    /** The user-data runs so far (one per instance that ran on a host). */
    userDataRuns: () => [...runs],
    /** What went wrong inside the poll loop (a test asserts it is empty). */
    problems: () => [...problems],
    /**
     * Runs a shell command on the host of a running instance as the instance's own
     * services would, with its metadata service (a timer's service started by hand: time
     * does not pass on the test hosts).
     * @param {string} hostName @param {string} command @returns {Promise<{ code: number, output: string }>}
     */
    runOnInstance(hostName, command) {
      const entry = [...instances.values()].find((i) => i.host.name === hostName && !i.imds.stopped);
      if (!entry) return Promise.reject(new Error(`no running instance on test host ${hostName}`));
      const child = entry.host.spawn(command, { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", HOME: "/root", ...instanceEnv(entry.imds.url) });
      child.stdin.end();
      let output = "";
      child.stdout.on("data", (/** @type {Buffer} */ d) => (output += d));
      child.stderr.on("data", (/** @type {Buffer} */ d) => (output += d));
      return new Promise((resolve) => child.on("exit", (/** @type {number | null} */ code) => resolve({ code: code ?? 1, output })));
    },
    /** The address a load balancer serves on, once it is active. */
    loadBalancerAddress: (/** @type {string} */ arn) => lbAddresses.get(arn),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.all([...listeners.values()].map((l) => l.stop()));
      await Promise.all([...instances.values()].filter((i) => !i.imds.stopped).map((i) => i.imds.stop()));
      await aws.stop();
    },
  };
}

export { CA_PATH };
