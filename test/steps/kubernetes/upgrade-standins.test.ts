/**
 * The stand-ins take a cluster through `kx upgrade` as /tmp/kx-upgrade-contract.md says kx
 * runs it, over SSH as kx does: a 3-master + 1-worker cluster of test hosts (real sshd, real
 * etcd) from 1.36.1 to 1.37.1 with the contract's package script (apt-get, apt-cache,
 * apt-mark stand-ins over each host's package database), kubeadm upgrade plan/apply/node,
 * kubectl drain/uncordon and kubelet restarts; and every refusal of the real tools on the
 * way, each one leaving the cluster as it was. One cluster for the whole file: the
 * refusals come at the point of the upgrade where they can happen.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExecResult, SshTarget } from "../../../src/ssh/types.js";
import { startCluster, type ClusterFixture } from "./cluster-fixture.js";

const ADMIN = "--kubeconfig /etc/kubernetes/admin.conf";
const MASTERS = ["master-a", "master-b", "master-c"];
const NODES = [...MASTERS, "worker-a"];

let c: ClusterFixture;
const targets: Record<string, SshTarget> = {};

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** Runs a command over the fixture's SSH pool, as kx does. */
async function sh(host: string, command: string): Promise<ExecResult> {
  const session = await c.pool.session(targets[host]!);
  return session.exec(command, { allowFailure: true, timeoutMs: 180_000 });
}

async function ok(host: string, command: string): Promise<string> {
  const r = await sh(host, command);
  if (r.code !== 0) throw new Error(`${host}: "${command}" exited ${r.code}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** A command that must fail: its exit code and what it printed. */
async function refused(host: string, command: string): Promise<{ code: number; out: string }> {
  const r = await sh(host, command);
  if (r.code === 0) throw new Error(`${host}: "${command}" succeeded:\n${r.stdout}`);
  return { code: r.code, out: `${r.stdout}${r.stderr}` };
}

/** The contract's package script, verbatim: the repository of `minor`, `pkgs` at `version`, held. */
function packageScript(minor: string, version: string, pkgs: string[]): string {
  return [
    "set -eu",
    "keyring=/etc/apt/keyrings/kubernetes-apt-keyring.gpg",
    `repo="https://pkgs.k8s.io/core:/stable:/v${minor}/deb/"`,
    `[ -s "$keyring" ] || { echo "the pkgs.k8s.io keyring $keyring is missing: the node image installs it" >&2; exit 1; }`,
    `printf 'deb [signed-by=%s] %s /\\n' "$keyring" "$repo" > /etc/apt/sources.list.d/kubernetes.list`,
    "apt-get update -q",
    `pkg=$(apt-cache madison ${pkgs[0]} | awk -v v="${version}-" 'index($3, v) == 1 { print $3; exit }')`,
    `[ -n "$pkg" ] || { echo "pkgs.k8s.io has no ${pkgs[0]} ${version} in $repo" >&2; exit 1; }`,
    `DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-change-held-packages --allow-downgrades ${pkgs.map((p) => `"${p}=$pkg"`).join(" ")}`,
    `apt-mark hold ${pkgs.join(" ")}`,
  ].join("\n");
}

const installPackages = (host: string, version: string, pkgs: string[]) => ok(host, `sh -c ${quote(packageScript(version.split(".").slice(0, 2).join("."), version, pkgs))}`);

interface NodeJson {
  metadata: { name: string };
  spec?: { unschedulable?: boolean };
  status: { nodeInfo: { kubeletVersion: string } };
}

async function nodes(): Promise<Record<string, NodeJson>> {
  const items = JSON.parse(await ok("master-a", `kubectl ${ADMIN} get nodes -o json`)).items as NodeJson[];
  return Object.fromEntries(items.map((n) => [n.metadata.name, n]));
}

const serverVersion = async (host = "master-a") => JSON.parse(await ok(host, `kubectl ${ADMIN} version -o json`)).serverVersion.gitVersion as string;
const clusterConfigVersion = async () => /kubernetesVersion: (\S+)/.exec(JSON.parse(await ok("master-a", `kubectl ${ADMIN} -n kube-system get configmap kubeadm-config -o json`)).data.ClusterConfiguration)![1];
/** What the host's own API server reports (not the endpoint's). */
const localApiVersion = async (host: string) => JSON.parse(await ok(host, `curl -sS --cacert /etc/kubernetes/pki/ca.crt https://${c.hosts[host]!.address}:6443/version`)).gitVersion as string;

/** Polls a shell condition on a host (bounded by attempts, not by a clock). */
const until = (host: string, condition: string) => ok(host, `for i in $(seq 600); do if ${condition}; then exit 0; fi; sleep 0.2; done; echo "the condition never held" >&2; exit 1`);

beforeAll(async () => {
  // The cluster starts at the seed version; an inherited override would mask the packages' versions.
  delete process.env.KX_STANDIN_VERSION;
  c = await startCluster();
  await c.run([...c.steps.pki, ...c.steps.etcd, ...c.steps.kubernetes]);
  for (const role of ["control-plane", "worker"] as const) for (const h of await c.ctx.inventory.hosts(role)) targets[h.name] = h.ssh;
  // Cilium's DaemonSet: the kubelets get their CNI config (Ready), and drain meets a DaemonSet's pods.
  const ds = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: cilium\n  namespace: kube-system\nspec:\n  selector:\n    matchLabels:\n      k8s-app: cilium\n";
  await ok("master-a", `printf '%s' ${quote(ds)} | kubectl ${ADMIN} apply -f -`);
  await until("master-a", `[ "$(kubectl ${ADMIN} get nodes | grep -c ' Ready ')" = 4 ]`);
}, 400_000);

afterAll(async () => {
  await c?.stop();
});

describe("the node image's packages", () => {
  it("kubeadm, kubelet and kubectl 1.36.1 from pkgs.k8s.io v1.36, held; apt is the stand-in, with no lists before an update", async () => {
    for (const h of NODES) {
      expect(await ok(h, "command -v apt-get apt-cache apt-mark")).toBe("/usr/local/bin/apt-get\n/usr/local/bin/apt-cache\n/usr/local/bin/apt-mark\n");
      expect(await ok(h, "apt-mark showhold")).toBe("kubeadm\nkubectl\nkubelet\n");
      expect(await ok(h, "kubeadm version -o short")).toBe("v1.36.1\n");
      expect(await ok(h, "kubelet --version")).toBe("Kubernetes v1.36.1\n");
      expect(await ok(h, "cat /etc/apt/sources.list.d/kubernetes.list")).toBe("deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] https://pkgs.k8s.io/core:/stable:/v1.36/deb/ /\n");
      expect(await ok(h, "apt-cache madison kubeadm")).toBe("");
    }
    expect(JSON.parse(await ok("master-a", `kubectl ${ADMIN} version -o json`))).toMatchObject({ clientVersion: { gitVersion: "v1.36.1" }, serverVersion: { gitVersion: "v1.36.1" } });
    for (const n of Object.values(await nodes())) expect(n.status.nodeInfo.kubeletVersion).toBe("v1.36.1");
  });

  it("apt-get update lists only the minor of the sources list; madison shows its versions, newest first", async () => {
    await ok("worker-a", "apt-get update -q");
    expect(await ok("worker-a", "apt-cache madison kubeadm")).toBe(
      ["1.36.3", "1.36.2", "1.36.1", "1.36.0"].map((v) => `   kubeadm | ${v}-1.1 | https://pkgs.k8s.io/core:/stable:/v1.36/deb  Packages\n`).join(""),
    );
    await ok("worker-a", `printf 'deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] https://pkgs.k8s.io/core:/stable:/v1.37/deb/ /\\n' > /etc/apt/sources.list.d/kubernetes.list`);
    // A changed sources list is not in the lists until the next update.
    expect(await ok("worker-a", "apt-cache madison kubelet")).toBe("");
    await ok("worker-a", "apt-get update -q");
    expect(await ok("worker-a", "apt-cache madison kubelet")).toBe(
      "   kubelet | 1.37.1-1.1 | https://pkgs.k8s.io/core:/stable:/v1.37/deb  Packages\n   kubelet | 1.37.0-1.1 | https://pkgs.k8s.io/core:/stable:/v1.37/deb  Packages\n",
    );
  });

  it("apt refuses what apt refuses, and changes nothing", async () => {
    const before = await ok("worker-a", "apt-mark showhold; kubeadm version -o short");
    // A held package changes only with --allow-change-held-packages.
    let r = await refused("worker-a", "apt-get install -y -q kubeadm=1.37.1-1.1");
    expect(r).toMatchObject({ code: 100 });
    expect(r.out).toContain("E: Held packages were changed and -y was used without --allow-change-held-packages.");
    // Not published: the version must be in the lists; the contract's script stops at madison.
    r = await refused("worker-a", "apt-get install -y --allow-change-held-packages kubeadm=1.37.5-1.1");
    expect(r).toMatchObject({ code: 100 });
    expect(r.out).toContain("E: Version '1.37.5-1.1' for 'kubeadm' was not found");
    r = await refused("worker-a", `sh -c ${quote(packageScript("1.37", "1.37.5", ["kubeadm"]))}`);
    expect(r.out).toContain("pkgs.k8s.io has no kubeadm 1.37.5 in https://pkgs.k8s.io/core:/stable:/v1.37/deb/");
    // A minor pkgs.k8s.io does not publish: no Release file.
    r = await refused("worker-a", `sh -c ${quote(packageScript("1.38", "1.38.0", ["kubeadm"]))}`);
    expect(r).toMatchObject({ code: 100 });
    expect(r.out).toContain("E: The repository 'https://pkgs.k8s.io/core:/stable:/v1.38/deb  Release' does not have a Release file.");
    // A sources list whose keyring is not the repository's key.
    await ok("worker-a", `printf 'deb [signed-by=/etc/apt/keyrings/other.gpg] https://pkgs.k8s.io/core:/stable:/v1.37/deb/ /\\n' > /etc/apt/sources.list.d/kubernetes.list`);
    r = await refused("worker-a", "apt-get update -q");
    expect(r).toMatchObject({ code: 100 });
    expect(r.out).toContain("NO_PUBKEY 234654DA9A296436");
    // A downgrade only with --allow-downgrades.
    await ok("worker-a", `printf 'deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] https://pkgs.k8s.io/core:/stable:/v1.36/deb/ /\\n' > /etc/apt/sources.list.d/kubernetes.list && apt-get update -q`);
    r = await refused("worker-a", "apt-get install -y --allow-change-held-packages kubeadm=1.36.0-1.1");
    expect(r).toMatchObject({ code: 100 });
    expect(r.out).toContain("E: Packages were downgraded and -y was used without --allow-downgrades.");
    // What it does not model: other packages, commands and options, never the machine's apt.
    r = await refused("worker-a", "apt-get install -y conntrack");
    expect(r).toMatchObject({ code: 100 });
    expect(r.out).toContain("Unable to locate package conntrack");
    expect((await refused("worker-a", "apt-get upgrade -y")).out).toContain("models only update and install");
    expect((await refused("worker-a", "apt-get install -y -o Dpkg::Options::=--force-confold kubeadm")).out).toContain("is not understood");
    expect(await ok("worker-a", "apt-mark showhold; kubeadm version -o short")).toBe(before);
  });
});

describe("the first control-plane node: kubeadm upgrade plan and apply", () => {
  it("refuses apply while kubeadm is older than the target: upgrade kubeadm first", async () => {
    const r = await refused("master-a", `kubeadm upgrade apply v1.37.1 --yes ${ADMIN}`);
    expect(r.out).toContain('Specified version to upgrade to "v1.37.1" is higher than the kubeadm version (v1.36.1). Upgrade kubeadm first');
    expect(await serverVersion()).toBe("v1.36.1");
  });

  it("installs kubeadm 1.37.1 with the contract's script: only kubeadm changes, held again", async () => {
    const out = await installPackages("master-a", "1.37.1", ["kubeadm"]);
    expect(out).toContain("Unpacking kubeadm (1.37.1-1.1) over (1.36.1-1.1) ...");
    expect(out).toContain("kubeadm was already set on hold.");
    expect(await ok("master-a", "kubeadm version -o short")).toBe("v1.37.1\n");
    expect(await ok("master-a", "kubelet --version")).toBe("Kubernetes v1.36.1\n");
    expect(await ok("master-a", "apt-mark showhold")).toBe("kubeadm\nkubectl\nkubelet\n");
  });

  it("plans v1.37.1 and refuses a skipped minor, a downgrade and a run without --yes, changing nothing", async () => {
    expect(await ok("master-a", `kubeadm upgrade plan v1.37.1 ${ADMIN}`)).toContain("kubeadm upgrade apply v1.37.1");
    expect((await refused("master-a", `kubeadm upgrade apply v1.38.0 --yes ${ADMIN}`)).out).toContain('Specified version to upgrade to "v1.38.0" is too high; kubeadm can upgrade only 1 minor version at a time');
    expect((await refused("master-a", `kubeadm upgrade apply v1.36.0 --yes ${ADMIN}`)).out).toContain('Specified version to upgrade to "v1.36.0" is lower than the cluster version "v1.36.1". Downgrades are not supported yet');
    expect((await refused("master-a", `kubeadm upgrade apply v1.37.1 ${ADMIN}`)).out).toContain("[upgrade/confirm] Are you sure you want to proceed?");
    expect((await refused("master-a", `kubeadm upgrade apply v1.37.1 --yes --force ${ADMIN}`)).out).toContain("does not model --force");
    expect(await serverVersion()).toBe("v1.36.1");
    expect(await clusterConfigVersion()).toBe("v1.36.1");
    expect(await ok("master-a", "grep image: /etc/kubernetes/manifests/kube-apiserver.yaml")).toContain("kube-apiserver:v1.36.1");
  });

  it("applies v1.37.1: the manifests, the API server's version and kubeadm-config follow; external etcd is left alone", async () => {
    const out = await ok("master-a", `kubeadm upgrade apply v1.37.1 --yes ${ADMIN}`);
    expect(out).toContain('[upgrade/successful] SUCCESS! Your cluster was upgraded to "v1.37.1". Enjoy!');
    for (const m of ["kube-apiserver", "kube-controller-manager", "kube-scheduler"]) {
      expect(await ok("master-a", `grep image: /etc/kubernetes/manifests/${m}.yaml`)).toContain(`${m}:v1.37.1`);
    }
    expect(await serverVersion()).toBe("v1.37.1");
    expect(await clusterConfigVersion()).toBe("v1.37.1");
    expect(await localApiVersion("master-b")).toBe("v1.36.1");
    expect(c.hosts["master-a"]!.exec("ls /etc/kubernetes/manifests")).not.toContain("etcd");
    expect(c.hosts["etcd-a"]!.exec("pgrep -c -x etcd").trim()).toBe("1");
    // The kubelets are upgraded later, by their packages and a restart.
    for (const n of Object.values(await nodes())) expect(n.status.nodeInfo.kubeletVersion).toBe("v1.36.1");
  });
});

describe("the other nodes: kubeadm upgrade node", () => {
  it("refuses upgrade node with a kubeadm older than the cluster", async () => {
    const r = await refused("master-b", "kubeadm upgrade node");
    expect(r.out).toContain('the kubeadm version "v1.36.1" is lower than the cluster version "v1.37.1"');
    expect(await localApiVersion("master-b")).toBe("v1.36.1");
  });

  it("upgrades master-b, master-c (their API servers) and worker-a (its kubelet config) once kubeadm is 1.37.1", async () => {
    for (const h of ["master-b", "master-c", "worker-a"]) {
      await installPackages(h, "1.37.1", ["kubeadm"]);
      const out = await ok(h, "kubeadm upgrade node");
      expect(out).toContain("[upgrade] The configuration for this node was successfully updated!");
      expect(out).toContain('Writing kubelet configuration to file "/var/lib/kubelet/config.yaml"');
      if (h === "worker-a") expect(out).toContain("Not a control plane node");
      else expect(await localApiVersion(h)).toBe("v1.37.1");
      expect(await ok(h, "kubeadm version -o short")).toBe("v1.37.1\n");
    }
  });
});

describe("every node: drain, kubelet and kubectl, restart, uncordon", () => {
  it("drain refuses a node with DaemonSet pods without --ignore-daemonsets (cordoned all the same), and unknown flags", async () => {
    const r = await refused("master-a", `kubectl drain worker-a ${ADMIN} --delete-emptydir-data --timeout=300s`);
    expect(r.out).toContain("node/worker-a cordoned");
    expect(r.out).toMatch(/cannot delete DaemonSet-managed Pods \(use --ignore-daemonsets to ignore\): kube-system\/cilium-\w{5}/);
    expect((await refused("master-a", `kubectl drain worker-a ${ADMIN} --delete-local-data`)).out).toContain("error: unknown flag: --delete-local-data");
    expect(await ok("master-a", `kubectl uncordon worker-a ${ADMIN}`)).toBe("node/worker-a uncordoned\n");
    expect(await ok("master-a", `kubectl uncordon worker-a ${ADMIN}`)).toBe("node/worker-a already uncordoned\n");
  });

  for (const name of NODES) {
    it(`${name}: drained, its kubelet at 1.37.1 only after the restart, uncordoned`, async () => {
      const drained = await sh("master-a", `kubectl drain ${name} --ignore-daemonsets --delete-emptydir-data --timeout=300s ${ADMIN}`);
      expect(drained).toMatchObject({ code: 0, stdout: `node/${name} cordoned\nnode/${name} drained\n` });
      expect(drained.stderr).toMatch(/Warning: ignoring DaemonSet-managed Pods: kube-system\/cilium-\w{5}/);
      expect((await nodes())[name]!.spec?.unschedulable).toBe(true);
      expect(await ok("master-a", `kubectl get nodes ${ADMIN}`)).toMatch(new RegExp(`${name}\\s+Ready,SchedulingDisabled`));

      const out = await installPackages(name, "1.37.1", ["kubelet", "kubectl"]);
      expect(out).toContain("Setting up kubelet (1.37.1-1.1) ...");
      expect(await ok(name, "kubelet --version")).toBe("Kubernetes v1.37.1\n");
      // The running kubelet is still the one it started as.
      expect((await nodes())[name]!.status.nodeInfo.kubeletVersion).toBe("v1.36.1");

      const pod = MASTERS.includes(name) ? c.hosts[name]!.exec("cat /run/kx/pods/kube-apiserver.json") : "";
      await ok(name, "systemctl daemon-reload && systemctl restart kubelet");
      if (pod) {
        // The API server's container outlives the kubelet's restart: it served throughout.
        expect(c.hosts[name]!.exec("cat /run/kx/pods/kube-apiserver.json")).toBe(pod);
        expect(await localApiVersion(name)).toBe("v1.37.1");
      }
      await until("master-a", `kubectl ${ADMIN} get node ${name} -o json 2>/dev/null | grep -q '"kubeletVersion": "v1.37.1"'`);
      expect(await ok("master-a", `kubectl uncordon ${name} ${ADMIN}`)).toBe(`node/${name} uncordoned\n`);
      expect((await nodes())[name]!.spec?.unschedulable).toBeUndefined();
    });
  }

  it("ends with the whole cluster at 1.37.1, read back through kubectl and kubeadm", async () => {
    const all = await nodes();
    expect(Object.keys(all).sort()).toEqual(NODES);
    for (const n of Object.values(all)) expect(n).toMatchObject({ status: { nodeInfo: { kubeletVersion: "v1.37.1" } } });
    for (const n of Object.values(all)) expect(n.spec?.unschedulable).toBeUndefined();
    expect(await ok("master-a", `kubectl get nodes ${ADMIN}`)).not.toContain("SchedulingDisabled");
    for (const h of MASTERS) {
      expect(await localApiVersion(h)).toBe("v1.37.1");
      expect(JSON.parse(await ok(h, `kubectl ${ADMIN} version -o json`))).toMatchObject({ clientVersion: { gitVersion: "v1.37.1" }, serverVersion: { gitVersion: "v1.37.1" } });
    }
    for (const h of NODES) {
      expect(await ok(h, "kubeadm version -o short")).toBe("v1.37.1\n");
      expect(await ok(h, "apt-mark showhold")).toBe("kubeadm\nkubectl\nkubelet\n");
    }
    expect(await clusterConfigVersion()).toBe("v1.37.1");
    expect(await ok("master-a", `kubeadm upgrade plan ${ADMIN}`)).toContain("Awesome, you're up-to-date!");
  });

  it("a resumed upgrade runs the same commands again without changing anything", async () => {
    const manifest = c.hosts["master-a"]!.exec("stat -c %Y.%s /etc/kubernetes/manifests/kube-apiserver.yaml");
    const again = await installPackages("worker-a", "1.37.1", ["kubelet", "kubectl"]);
    expect(again).toContain("kubelet is already the newest version (1.37.1-1.1).");
    expect(again).toContain("0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.");
    expect(again).toContain("kubelet was already set on hold.");
    expect(await ok("master-a", `kubeadm upgrade apply v1.37.1 --yes ${ADMIN}`)).toContain('upgraded to "v1.37.1"');
    expect(await ok("master-b", "kubeadm upgrade node")).toContain("successfully updated");
    expect(c.hosts["master-a"]!.exec("stat -c %Y.%s /etc/kubernetes/manifests/kube-apiserver.yaml")).toBe(manifest);
    expect(await ok("master-a", `kubectl drain worker-a --ignore-daemonsets --delete-emptydir-data --timeout=300s ${ADMIN}`)).toBe("node/worker-a cordoned\nnode/worker-a drained\n");
    expect(await ok("master-a", `kubectl drain worker-a --ignore-daemonsets --delete-emptydir-data --timeout=300s ${ADMIN}`)).toBe("node/worker-a already cordoned\nnode/worker-a drained\n");
    expect(await ok("master-a", `kubectl uncordon worker-a ${ADMIN}`)).toBe("node/worker-a uncordoned\n");
    expect(await serverVersion()).toBe("v1.37.1");
  });
});
