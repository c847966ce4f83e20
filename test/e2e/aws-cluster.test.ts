/**
 * The real kx binary builds a whole cluster on the local test cloud: the fake AWS
 * endpoint with its instances mapped to test hosts (real sshd and etcd, the kubeadm /
 * kubelet / kubectl stand-ins), the API load balancer forwarding to the masters, and
 * the workers joining from their autoscaling group's user data with what kx published
 * in SSM. Then: status, the token renewal timer, a worker the group starts on its own,
 * a worker and a master added with `kx join`, and `kx destroy` leaving the cloud empty.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AutoScalingClient, SetDesiredCapacityCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeLaunchTemplateVersionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import type { KxRun } from "../helpers/kx.js";
import { autoScalingGroupName } from "../../src/steps/machines/worker-asg.js";
import { clientConfig } from "../fake-aws/fake.js";
import { ensureBuilt } from "./support/build.js";
import { startAwsClusterWorld, type AwsClusterWorld } from "./support/aws-cluster-world.js";
import { CLUSTER, describeRun } from "./support/world.js";
import { jsonEvents, secretLeaks } from "./support/hosts-world.js";
import { clusterResourceLines, liveInventory, ofCluster } from "./support/inventory.js";

const MASTERS = ["master-a", "master-b", "master-c"];
const WORKERS_AT_CREATE = 2;
const JOIN_TOKEN = `/kx/${CLUSTER}/join/token`;

let w: AwsClusterWorld;
let create: KxRun;
const transcripts: string[] = [];

async function kx(args: string[], timeoutMs = 120_000): Promise<KxRun> {
  const run = await w.kx(args, { timeoutMs });
  transcripts.push(run.stdout, run.stderr);
  return run;
}

/** A failed run with what explains it: kx's run log, the user data's output, the cloud's own problems. */
function explain(run: KxRun): string {
  const logFile = /Full log: (\S+)/.exec(run.stderr)?.[1];
  const log = logFile && existsSync(logFile) ? readFileSync(logFile, "utf8").slice(-6000) : "(no run log)";
  return `${describeRun(run)}\n--- run log\n${log}\n--- user data\n${userDataReport()}\n--- cloud\n${w.cloud.problems().join("\n")}`;
}

function userDataReport(): string {
  return w.cloud
    .userDataRuns()
    .map((r) => `${r.host} ${r.instanceId} exit ${r.exitCode}\n${readFileSync(w.hosts[r.host]!.pathOnHost("/var/log/cloud-init-output.log"), "utf8").slice(-1500)}`)
    .join("\n");
}

/** Waits until `count` workers' user data has finished (each run is a join), failing with their output. */
async function workersJoined(count: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const runs = w.cloud.userDataRuns().filter((r) => r.host.startsWith("worker-"));
    if (runs.length >= count) {
      const codes = await Promise.race([Promise.all(runs.map((r) => r.done)), new Promise<null>((r) => setTimeout(() => r(null), Math.max(0, deadline - Date.now())))]);
      if (!codes) throw new Error(`worker user data still running after 120 s:\n${userDataReport()}`);
      if (codes.some((c) => c !== 0)) throw new Error(`worker user data failed:\n${userDataReport()}`);
      return;
    }
    if (Date.now() > deadline) throw new Error(`only ${runs.length} of ${count} workers started:\n${userDataReport()}\n${w.cloud.problems().join("\n")}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function statusNodes(): Promise<{ name: string; ready: boolean; roles: string[] }[]> {
  const run = await kx(["--output", "json", "status", "-f", w.configFile]);
  expect(run.code, explain(run)).toBe(0);
  return jsonEvents(run.stdout).find((e) => e.type === "status")!.nodes;
}

/** Private DNS names (the node names) of the instances on these test hosts. */
function nodeNames(hostNames: string[]): string[] {
  return hostNames.map((h) => `ip-${w.hosts[h]!.address.replaceAll(".", "-")}.eu-west-1.compute.internal`).sort();
}

/** The AMI of the worker launch template's default version: what the group launches. */
async function launchTemplateImage(): Promise<string> {
  const ec2 = new EC2Client(clientConfig(w.fake));
  const r = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: `kx-${CLUSTER}-worker`, Versions: ["$Default"] }));
  return r.LaunchTemplateVersions![0]!.LaunchTemplateData!.ImageId!;
}

function ssmVersion(name: string): number {
  const p = (w.fake.inventory().parameter ?? []).find((x: any) => x.name === name);
  return p ? p.versions.at(-1).version : 0;
}

async function joinToken(): Promise<string> {
  const ssm = new SSMClient(clientConfig(w.fake));
  return (await ssm.send(new GetParameterCommand({ Name: JOIN_TOKEN, WithDecryption: true }))).Parameter!.Value!;
}

beforeAll(async () => {
  await ensureBuilt();
  w = await startAwsClusterWorld({ workerHosts: 4, spareMasters: 1, config: { "workers.min": WORKERS_AT_CREATE, "workers.desired": WORKERS_AT_CREATE, "workers.max": 4 } });
  create = await w.create([], { timeoutMs: 420_000 });
  transcripts.push(create.stdout, create.stderr);
}, 480_000);

afterAll(async () => {
  await w?.close();
});

describe("kx create cluster on the local test cloud, from nothing to a running cluster", () => {
  it("finishes once the workers have joined, with every step done", () => {
    expect(create.code, explain(create)).toBe(0);
    expect(create.stdout).toMatch(/^✔ kubernetes\/token-refresh-timer/m);
    expect(create.stdout).toMatch(/^✔ kubernetes\/workers-joined/m);
    expect(w.cloud.problems()).toEqual([]);
  });

  it("the masters are the API load balancer's targets, and the API answers through it", async () => {
    const inv = liveInventory(w.fake);
    const [tg] = ofCluster(inv.tg);
    expect(tg.targets.map((t: any) => t.id).sort()).toEqual(MASTERS.map((m) => w.hosts[m]!.address).sort());
    // admin.conf points at the load balancer's name; master-c's resolver and the LB take it to a master.
    const readyz = await w.cloud.runOnInstance("master-c", "kubectl --kubeconfig /etc/kubernetes/admin.conf get --raw /readyz");
    expect(readyz).toEqual({ code: 0, output: "ok\n" });
  });

  it("the add-ons are deployed: the cloud controller, Cilium reaching the API through the load balancer's name, the EBS CSI driver and gp3 as the default StorageClass", async () => {
    const helm = async (release: string) => {
      const r = await w.cloud.runOnInstance("master-a", `helm status ${release} -n kube-system -o json --kubeconfig /etc/kubernetes/admin.conf`);
      expect(r.code, r.output).toBe(0);
      return JSON.parse(r.output);
    };
    const lbName = ofCluster(liveInventory(w.fake).lb)[0]!.dnsName;
    expect((await helm("aws-cloud-controller-manager")).info.status).toBe("deployed");
    expect((await helm("cilium")).config).toMatchObject({ kubeProxyReplacement: true, k8sServiceHost: lbName, k8sServicePort: 6443 });
    expect((await helm("aws-ebs-csi-driver")).config).toEqual({ controller: { region: "eu-west-1", k8sTagClusterId: CLUSTER } });
    const sc = await w.cloud.runOnInstance("master-a", "kubectl --kubeconfig /etc/kubernetes/admin.conf get storageclass gp3 -o json");
    expect(JSON.parse(sc.output)).toMatchObject({ provisioner: "ebs.csi.aws.com", metadata: { annotations: { "storageclass.kubernetes.io/is-default-class": "true" } }, parameters: { encrypted: "true" } });
  });

  it("the workers join on their own from user data; kx status shows 3 control-plane nodes and the workers Ready", async () => {
    await workersJoined(WORKERS_AT_CREATE);
    const nodes = await statusNodes();
    const workers = w.cloud.userDataRuns().filter((r) => r.host.startsWith("worker-")).map((r) => r.host);
    expect(nodes.filter((n) => n.roles.includes("control-plane")).map((n) => n.name).sort()).toEqual(nodeNames(MASTERS));
    expect(nodes.map((n) => [n.name, n.ready]).sort()).toEqual([...nodeNames(MASTERS), ...nodeNames(workers)].sort().map((n) => [n, true]));
  }, 150_000);

  it("the renewal timer is waiting on every master, and firing it publishes a new token that a node the group starts later joins with", async () => {
    for (const m of MASTERS) expect([m, w.hosts[m]!.exec("systemctl is-active kx-join-token.timer").trim()]).toEqual([m, "active"]);
    const before = ssmVersion(JOIN_TOKEN);
    const fired = await w.cloud.runOnInstance("master-b", "systemctl start kx-join-token.service");
    expect(fired.code, `${fired.output}\n${w.hosts["master-b"]!.exec("cat /var/log/kx-join-token.log")}`).toBe(0);
    expect(ssmVersion(JOIN_TOKEN)).toBe(before + 1);

    // The group replaces or adds a node on its own (an autoscaler, an instance refresh): kx is not there.
    const autoscaling = new AutoScalingClient(clientConfig(w.fake));
    await autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: autoScalingGroupName(CLUSTER), DesiredCapacity: WORKERS_AT_CREATE + 1 }));
    await workersJoined(WORKERS_AT_CREATE + 1);
  }, 150_000);

  it("kx join --workers 1 grows the group and the new worker joins", async () => {
    const run = await kx(["join", "-f", w.configFile, "--workers", "1"]);
    expect(run.code, explain(run)).toBe(0);
    // From the size the group has now (the autoscaler's 3), not the config's 2.
    expect(run.stdout).toContain(`worker group: desired ${WORKERS_AT_CREATE + 1} → ${WORKERS_AT_CREATE + 2}`);
    // kx waited for it: the new worker has joined when the join returns.
    const nodes = await statusNodes();
    expect(nodes.filter((n) => !n.roles.includes("control-plane") && n.ready)).toHaveLength(WORKERS_AT_CREATE + 2);
    await workersJoined(WORKERS_AT_CREATE + 2);
  }, 150_000);

  it("kx join --control-plane 1 launches master-d, joins it, and puts it behind the API load balancer", async () => {
    const run = await kx(["join", "-f", w.configFile, "--control-plane", "1"], 180_000);
    expect(run.code, explain(run)).toBe(0);
    const nodes = await statusNodes();
    const masters = [...MASTERS, "master-d"];
    expect(nodes.filter((n) => n.roles.includes("control-plane") && n.ready).map((n) => n.name).sort()).toEqual(nodeNames(masters));
    const [tg] = ofCluster(liveInventory(w.fake).tg);
    expect(tg.targets.map((t: any) => t.id).sort()).toEqual(masters.map((m) => w.hosts[m]!.address).sort());
    expect(w.hosts["master-d"]!.exec("systemctl is-active kx-join-token.timer").trim()).toBe("active");
  }, 200_000);

  it("kx upgrade --to 1.37.1 upgrades the masters (master-d too) then the group's workers over SSH two at a time, and moves the launch template to the new AMI", async () => {
    // The operator's config after the join (4 masters, saved by kx) with a node AMI of the new version, as one gives images when kx does not build them.
    const saved = parse(readFileSync(join(w.stateDir, "config.yaml"), "utf8")) as any;
    const newAmi = w.fake.registerImage({ name: "kx-node-k8s-1.37.1", tags: { "kx:k8s-version": "1.37.1" } });
    const upgradeFile = join(w.dir, "upgrade.yaml");
    writeFileSync(upgradeFile, stringify({ ...saved, images: { ...saved.images, node: newAmi } }));
    const amiBefore = await launchTemplateImage();
    const run = await kx(["upgrade", "-f", upgradeFile, "--to", "1.37.1", "--yes", "--max-unavailable", "2"], 600_000);
    expect(run.code, explain(run)).toBe(0);
    const nodes = await statusNodes();
    expect(nodes.filter((n) => n.version !== "v1.37.1" || !n.ready).map((n) => `${n.name} ${n.version}`)).toEqual([]);
    expect(nodes.length).toBe(MASTERS.length + 1 + WORKERS_AT_CREATE + 2);
    expect(amiBefore).not.toBe(newAmi);
    expect(await launchTemplateImage()).toBe(newAmi);
  }, 660_000);

  it("printed and logged no key or token", async () => {
    const token = await joinToken();
    expect(token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(secretLeaks({ stateDir: w.stateDir, transcripts }, [token])).toEqual([]);
  });

  it("kx destroy returns the cloud to empty", async () => {
    const run = await kx(["destroy", "-f", w.configFile, "--yes"], 240_000);
    expect(run.code, explain(run)).toBe(0);
    expect(clusterResourceLines(liveInventory(w.fake))).toEqual([]);
    // Not only the tagged ones: nothing at all is left in the cloud but the test's AMIs.
    expect(Object.entries(liveInventory(w.fake)).map(([type, list]) => `${type}: ${list.map((r) => r.name ?? r.id).join(", ")}`)).toEqual([]);
  });
});
