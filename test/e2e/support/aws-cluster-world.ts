/**
 * A whole cluster on the local test cloud: the fake AWS endpoint, and test hosts (real
 * sshd, real etcd, the kubeadm/kubelet/kubectl stand-ins) that its instances are mapped
 * to by their Name tags, joined by the cloud's data plane (test/harness/cloud: VPC DNS,
 * the API load balancer forwarding to its targets, IMDSv2, cloud-init running user
 * data). `kx` is the real binary with the example config pointed at it.
 */
import type { TestHost } from "../../harness/fake-aws/index.js";
// @ts-expect-error plain JavaScript harness
import { startTestHosts } from "../../harness/hosts/index.js";
// @ts-expect-error plain JavaScript harness
import { installStandins } from "../../harness/standins/index.js";
// @ts-expect-error plain JavaScript harness
import { connectCloud } from "../../harness/cloud/index.js";
import { INSTANCE_NAME, startWorld, type World } from "./world.js";
import type { HostsWorldHost } from "./hosts-world.js";

export interface UserDataRun {
  instanceId: string;
  host: string;
  exitCode: number | null;
  output: string;
  done: Promise<number>;
}

export interface AwsClusterWorld extends World {
  /** Test hosts by name: bastion, etcd-a…c, master-a…c (+ spares), worker-1… */
  hosts: Record<string, HostsWorldHost & { pathOnHost(p: string): string }>;
  cloud: { userDataRuns(): UserDataRun[]; problems(): string[]; stop(): Promise<void> };
}

export interface AwsClusterOptions {
  /** How many hosts the worker group's instances may take. */
  workerHosts: number;
  /** Extra control-plane hosts (master-d…) for `kx join --control-plane`. */
  spareMasters?: number;
  config?: Record<string, unknown>;
}

const LETTERS = "abcdefgh";

export async function startAwsClusterWorld(o: AwsClusterOptions): Promise<AwsClusterWorld> {
  const masters = 3 + (o.spareMasters ?? 0);
  const layout: [string, string][] = [
    ...["a", "b", "c"].map((l): [string, string] => [`etcd-${l}`, INSTANCE_NAME.etcd(l)]),
    ...[...LETTERS.slice(0, masters)].map((l): [string, string] => [`master-${l}`, INSTANCE_NAME.master(l)]),
    ...Array.from({ length: o.workerHosts }, (_, i): [string, string] => [`worker-${i + 1}`, INSTANCE_NAME.worker]),
  ];
  const t = await startTestHosts({ count: layout.length, names: layout.map(([name]) => name), bastion: true });
  let world: World | undefined;
  let cloud: AwsClusterWorld["cloud"] | undefined;
  try {
    const byName: AwsClusterWorld["hosts"] = Object.fromEntries([t.bastion, ...t.hosts].map((h: any) => [h.name, h]));
    for (const [name] of layout) if (!name.startsWith("etcd-")) installStandins(byName[name]);
    const mapped: TestHost[] = [
      { address: t.bastion.address, hostKeys: t.bastion.hostKeys, namePattern: INSTANCE_NAME.bastion },
      ...layout.map(([name, namePattern]) => ({ address: byName[name]!.address, hostKeys: byName[name]!.hostKeys, namePattern })),
    ];
    world = await startWorld({
      hosts: mapped,
      config: {
        "ssh.user": "root",
        "ssh.privateKeyFile": t.clientKeyFile,
        // The test hosts share one network namespace: members serve clients on their own address only.
        "etcd.loopbackClients": false,
        ...o.config,
      },
    });
    cloud = await connectCloud({ fake: world.fake, testHosts: t, userDataEnv: { KX_JOIN_RETRY_SECONDS: "1" } });
    const base = world;
    const connected = cloud;
    return {
      ...base,
      hosts: byName,
      cloud: connected,
      createArgs: ["create", "cluster", "-f", base.configFile, "--yes"],
      create: (extra = [], options) => base.kx(["create", "cluster", "-f", base.configFile, "--yes", ...extra], options),
      close: async () => {
        await connected.stop();
        await base.close();
        await t.stop();
        const left = t.leftovers();
        if (left.length) throw new Error(`test hosts left behind:\n${left.join("\n")}`);
      },
    };
  } catch (e) {
    await cloud?.stop();
    await world?.close();
    await t.stop();
    throw e;
  }
}
