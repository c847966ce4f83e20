/**
 * The kubeadm, kubelet and kubectl stand-ins catch what the real tools catch. Driven
 * directly on test hosts (nsenter, no SSH): real etcd with kx's certificates on etcd-a,
 * kubeadm init on master-a, and a spare host for the broken configs.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Secret } from "../../../src/engine/secret.js";
import { createCa, issueCertificate } from "../../../src/pki/certificates.js";
import { caCertHash } from "../../../src/pki/inspect.js";
import { APISERVER_ETCD_CLIENT } from "../../../src/pki/profiles.js";
import { LocalSecretStore } from "../../../src/secrets/local-store.js";
import { clusterConfiguration, initConfiguration, joinConfiguration, kubeletConfiguration, toYaml, type ClusterSettings } from "../../../src/steps/kubernetes/kubeadm-config.js";
import { SHARED_CERTIFICATES } from "../../../src/steps/kubernetes/shared-certificates.js";
import { pkiSteps } from "../../../src/steps/pki/index.js";
// @ts-expect-error plain JavaScript harness
import { startTestHosts } from "../../harness/hosts/index.js";
// @ts-expect-error plain JavaScript harness
import { installStandins } from "../../harness/standins/index.js";
import { etcdHost, fakeContext } from "../pki/fake-context.js";
import { failingExec, type TestHost } from "./cluster-fixture.js";

let t: { hosts: TestHost[]; stop(): Promise<void>; leftovers(): string[] };
let etcd: TestHost;
let master: TestHost;
let spare: TestHost;
let store: LocalSecretStore;
let stateDir: string;
let settings: ClusterSettings;

function put(host: TestHost, path: string, content: string, mode = 0o644): void {
  const file = host.pathOnHost(path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content, { mode });
}

const fails = failingExec;

async function placeShared(host: TestHost): Promise<void> {
  for (const { secret, file } of SHARED_CERTIFICATES) {
    put(host, `/etc/kubernetes/pki/${file}`, (await store.get(secret))!.reveal(), file.endsWith(".key") ? 0o600 : 0o644);
  }
}

const node = (h: TestHost) => ({ name: h.name, privateIp: h.address });

beforeAll(async () => {
  t = await startTestHosts({ count: 3, names: ["etcd-a", "master-a", "spare"] });
  [etcd, master, spare] = t.hosts as [TestHost, TestHost, TestHost];
  for (const h of t.hosts) installStandins(h);
  stateDir = mkdtempSync(join(tmpdir(), "kx-standins-"));
  store = new LocalSecretStore(stateDir);
  const ctx = fakeContext({ config: { hosts: [{ name: "etcd-a", address: etcd.address, roles: ["etcd"] }] }, secrets: store, hosts: [etcdHost("etcd-a", etcd.address, "etcd-a")] });
  for (const step of pkiSteps(ctx.config)) await step.apply(ctx, []);
  for (const [file, secret] of [["ca.crt", "pki/etcd/ca.crt"], ["server.crt", "pki/etcd/etcd-a/server.crt"], ["server.key", "pki/etcd/etcd-a/server.key"], ["peer.crt", "pki/etcd/etcd-a/peer.crt"], ["peer.key", "pki/etcd/etcd-a/peer.key"]]) {
    put(etcd, `/etc/etcd/pki/${file}`, (await store.get(secret!))!.reveal(), 0o600);
  }
  const ip = etcd.address;
  etcd.exec(
    `setsid etcd --name etcd-a --data-dir /var/lib/etcd/data --listen-client-urls https://${ip}:2379 --advertise-client-urls https://${ip}:2379 ` +
      `--listen-peer-urls https://${ip}:2380 --initial-advertise-peer-urls https://${ip}:2380 --initial-cluster etcd-a=https://${ip}:2380 ` +
      "--cert-file /etc/etcd/pki/server.crt --key-file /etc/etcd/pki/server.key --client-cert-auth --trusted-ca-file /etc/etcd/pki/ca.crt " +
      "--peer-cert-file /etc/etcd/pki/peer.crt --peer-key-file /etc/etcd/pki/peer.key --peer-client-cert-auth --peer-trusted-ca-file /etc/etcd/pki/ca.crt " +
      ">/var/log/etcd.log 2>&1 </dev/null &",
  );
  etcd.exec(`for i in $(seq 100); do etcdctl --endpoints https://${ip}:2379 --cacert /etc/etcd/pki/ca.crt --cert /etc/etcd/pki/server.crt --key /etc/etcd/pki/server.key endpoint health >/dev/null 2>&1 && exit 0; sleep 0.2; done; exit 1`);
  settings = {
    clusterName: "lab",
    kubernetesVersion: "1.36.1",
    controlPlaneEndpoint: `${master.address}:6443`,
    certSANs: [master.address],
    podSubnet: "10.244.0.0/16",
    serviceSubnet: "10.96.0.0/12",
    etcdEndpoints: [`https://${ip}:2379`],
    kubeProxyDisabled: true,
    externalCloudProvider: false,
  };
  await placeShared(master);
  put(master, "/etc/kubernetes/kx/init.yaml", toYaml([initConfiguration(settings, node(master)), clusterConfiguration(settings), kubeletConfiguration()], { reveal: false }), 0o600);
  master.exec("kubeadm init --config /etc/kubernetes/kx/init.yaml");
  master.exec("kubeadm token create abcdef.0123456789abcdef --ttl 48h --kubeconfig /etc/kubernetes/admin.conf");
}, 240_000);

afterAll(async () => {
  await t?.stop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  expect(t?.leftovers() ?? []).toEqual([]);
});

const initYaml = (s: ClusterSettings, h: TestHost) => toYaml([initConfiguration(s, node(h)), clusterConfiguration(s), kubeletConfiguration()], { reveal: false });

describe("kubeadm stand-in", () => {
  it("initialised master-a: the kubelet runs the API server and registered the node", () => {
    const nodes = master.exec("kubectl --kubeconfig /etc/kubernetes/admin.conf get nodes");
    // Registered; NotReady until a pod network writes its CNI config (no add-on runs here).
    expect(nodes).toMatch(/master-a\s+NotReady\s+control-plane/);
    for (const f of ["admin.conf", "super-admin.conf", "kubelet.conf", "manifests/kube-apiserver.yaml", "manifests/kube-scheduler.yaml", "pki/apiserver.crt"]) {
      master.exec(`test -s /etc/kubernetes/${f}`);
    }
    expect(master.exec("cat /var/lib/kubelet/config.yaml")).toContain("cgroupDriver: systemd");
    expect(master.exec("kubeadm token list --kubeconfig /etc/kubernetes/admin.conf")).toContain("abcdef.0123456789abcdef");
  });

  it("refuses a second init on the same node (preflight)", () => {
    const out = fails(master, "kubeadm init --config /etc/kubernetes/kx/init.yaml");
    expect(out).toContain("[ERROR FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml]: /etc/kubernetes/manifests/kube-apiserver.yaml already exists");
    expect(out).toContain("[ERROR Port-6443]: Port 6443 is in use");
  });

  it("rejects v1beta3-era configs: the old apiVersion, extraArgs as a map, misspelt fields", () => {
    const good = initYaml(settings, spare);
    put(spare, "/root/v1beta3.yaml", good.replaceAll("kubeadm.k8s.io/v1beta4", "kubeadm.k8s.io/v1beta3"));
    expect(fails(spare, "kubeadm config validate --config /root/v1beta3.yaml")).toContain('your configuration file uses an old API spec: "kubeadm.k8s.io/v1beta3"');
    put(spare, "/root/map.yaml", good.replace("  certSANs:", "  extraArgs:\n    cloud-provider: external\n  certSANs:"));
    expect(fails(spare, "kubeadm config validate --config /root/map.yaml")).toContain("json: cannot unmarshal object into Go struct field .apiServer.extraArgs of type []v1beta4.Arg");
    expect(fails(spare, "kubeadm init --config /root/map.yaml")).toContain("cannot unmarshal object");
    put(spare, "/root/typo.yaml", good.replace("podSubnet", "podSubnett"));
    expect(fails(spare, "kubeadm config validate --config /root/typo.yaml")).toContain('strict decoding error: unknown field "networking.podSubnett"');
    put(spare, "/root/kind.yaml", good.replace("kind: InitConfiguration", "kind: MasterConfiguration"));
    expect(fails(spare, "kubeadm config validate --config /root/kind.yaml")).toContain('no kind "MasterConfiguration" is registered');
    expect(spare.exec("kubeadm config validate --config /root/v1beta3.yaml.none 2>&1 || true")).toContain("no such file or directory");
    put(spare, "/root/good.yaml", good);
    expect(spare.exec("kubeadm config validate --config /root/good.yaml")).toBe("ok\n");
  });

  it("fails preflight on a wrong certificate path and writes nothing", async () => {
    await placeShared(spare);
    const wrong = initYaml(settings, spare).replace("/etc/kubernetes/pki/apiserver-etcd-client.crt", "/etc/kubernetes/pki/wrong.crt");
    put(spare, "/root/wrong-path.yaml", wrong);
    const out = fails(spare, "kubeadm init --config /root/wrong-path.yaml");
    expect(out).toContain("[ERROR ExternalEtcdClientCertificates]: /etc/kubernetes/pki/wrong.crt doesn't exist");
    expect(spare.exec("ls /etc/kubernetes")).not.toContain("manifests");
  });

  it("catches an etcd client certificate from another CA: etcd refuses it", async () => {
    const otherCa = await createCa({ subject: { commonName: "etcd-ca" } });
    const client = await issueCertificate(otherCa, APISERVER_ETCD_CLIENT.options);
    put(spare, "/etc/kubernetes/pki/apiserver-etcd-client.crt", client.certPem);
    put(spare, "/etc/kubernetes/pki/apiserver-etcd-client.key", client.keyPem.reveal(), 0o600);
    put(spare, "/root/good.yaml", initYaml(settings, spare));
    const out = fails(spare, "kubeadm init --config /root/good.yaml");
    expect(out).toMatch(/\[ERROR ExternalEtcdVersion\]: Get "https:\/\/[\d.]+:2379\/version"/);
    await placeShared(spare);
  });

  it("refuses a join whose CA hash does not match the cluster's CA", async () => {
    const other = await createCa({ subject: { commonName: "kubernetes" } });
    const discovery = { apiServerEndpoint: settings.controlPlaneEndpoint, token: new Secret("abcdef.0123456789abcdef"), caCertHash: caCertHash(other.certPem) };
    put(spare, "/root/join.yaml", toYaml([joinConfiguration(settings, node(spare), discovery, "worker")], { reveal: true }), 0o600);
    const out = fails(spare, "kubeadm join --config /root/join.yaml");
    const realHash = caCertHash((await store.get("pki/ca.crt"))!.reveal());
    expect(out).toContain(`cluster CA found in cluster-info ConfigMap is invalid: none of the public keys "${realHash}" are pinned`);
    expect(() => spare.exec("test -e /etc/kubernetes/kubelet.conf")).toThrow();
  });

  it("refuses a join with a token the cluster does not know", async () => {
    const hash = caCertHash((await store.get("pki/ca.crt"))!.reveal());
    const discovery = { apiServerEndpoint: settings.controlPlaneEndpoint, token: new Secret("zzzzzz.0123456789abcdef"), caCertHash: hash };
    put(spare, "/root/join.yaml", toYaml([joinConfiguration(settings, node(spare), discovery, "worker")], { reveal: true }), 0o600);
    expect(fails(spare, "kubeadm join --config /root/join.yaml")).toContain('could not find a JWS signature in the cluster-info ConfigMap for token ID "zzzzzz"');
  });

  it("refuses a control-plane join without the shared certificates", async () => {
    spare.exec("rm -f /etc/kubernetes/pki/ca.key /etc/kubernetes/pki/sa.pub");
    const hash = caCertHash((await store.get("pki/ca.crt"))!.reveal());
    const discovery = { apiServerEndpoint: settings.controlPlaneEndpoint, token: new Secret("abcdef.0123456789abcdef"), caCertHash: hash };
    put(spare, "/root/join-cp.yaml", toYaml([joinConfiguration(settings, node(spare), discovery, "control-plane")], { reveal: true }), 0o600);
    const out = fails(spare, "kubeadm join --config /root/join-cp.yaml");
    expect(out).toContain("one or more conditions for hosting a new control plane instance is not satisfied");
    expect(out).toContain("couldn't load the private key file /etc/kubernetes/pki/ca.key");
    await placeShared(spare);
  });

  it("kubelet refuses to run without its configuration", () => {
    spare.exec("systemctl start kubelet");
    // Wait for the process to exit (no fixed sleep: the machine may be slow).
    spare.exec("for i in $(seq 300); do systemctl is-active -q kubelet || exit 0; sleep 0.1; done; exit 1");
    expect(spare.exec("cat /var/log/kubelet.log")).toContain("failed to load kubelet config file, path: /var/lib/kubelet/config.yaml");
    expect(fails(spare, "systemctl is-active kubelet")).toMatch(/failed|inactive/);
  });

  it("kubectl applies a StorageClass and reads it back from the API", () => {
    put(master, "/root/sc.yaml", "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: gp3\nprovisioner: ebs.csi.aws.com\nvolumeBindingMode: WaitForFirstConsumer\n");
    expect(master.exec("kubectl --kubeconfig /etc/kubernetes/admin.conf apply -f /root/sc.yaml")).toBe("storageclass.storage.k8s.io/gp3 created\n");
    expect(master.exec("kubectl --kubeconfig /etc/kubernetes/admin.conf apply -f /root/sc.yaml")).toBe("storageclass.storage.k8s.io/gp3 configured\n");
    const sc = JSON.parse(master.exec("kubectl --kubeconfig /etc/kubernetes/admin.conf get storageclass gp3 -o json"));
    expect(sc.provisioner).toBe("ebs.csi.aws.com");
    put(master, "/root/bad.yaml", "apiVersion: storage.k8s.io/v1beta9\nkind: StorageClass\nmetadata:\n  name: x\n");
    expect(fails(master, "kubectl --kubeconfig /etc/kubernetes/admin.conf apply -f /root/bad.yaml")).toContain('no matches for kind "StorageClass" in version "storage.k8s.io/v1beta9"');
    expect(fails(master, "kubectl --kubeconfig /etc/kubernetes/kubelet.conf.none get nodes")).toContain("no such file or directory");
  });

  it("kubeadm upgrade: one minor at a time, never past kubeadm's own version, with confirmation", () => {
    const admin = "--kubeconfig /etc/kubernetes/admin.conf";
    expect(master.exec(`kubeadm upgrade plan ${admin}`)).toContain("Current cluster version: v1.36.1");
    expect(fails(master, `kubeadm upgrade apply v1.37.0 --yes ${admin}`)).toContain("is higher than the kubeadm version (v1.36.1)");
    expect(fails(master, `KX_STANDIN_VERSION=v1.38.0 kubeadm upgrade apply v1.38.0 --yes ${admin}`)).toContain("kubeadm can upgrade only 1 minor version at a time");
    expect(fails(master, `KX_STANDIN_VERSION=v1.37.0 kubeadm upgrade apply v1.37.0 ${admin}`)).toContain("[upgrade/confirm]");
    expect(master.exec(`KX_STANDIN_VERSION=v1.37.0 kubeadm upgrade apply v1.37.0 --yes ${admin}`)).toContain('upgraded to "v1.37.0"');
    expect(master.exec("grep image: /etc/kubernetes/manifests/kube-apiserver.yaml")).toContain("kube-apiserver:v1.37.0");
    // The kubelet restarts the static pod from the new manifest.
    master.exec(`for i in $(seq 200); do kubectl ${admin} version 2>/dev/null | grep -q 'Server Version: v1.37.0' && exit 0; sleep 0.1; done; exit 1`);
    expect(fails(master, `KX_STANDIN_VERSION=v1.37.0 kubeadm upgrade apply v1.36.1 --yes ${admin}`)).toContain("is lower than the cluster version");
    expect(master.exec(`kubectl ${admin} cluster-info`)).toContain(`Kubernetes control plane is running at https://${master.address}:6443`);
    expect(master.exec(`kubectl ${admin} get --raw /readyz`)).toBe("ok\n");
  });

  it("the API server refuses --cloud-provider (removed in 1.33), so such a config never gets healthy", async () => {
    master.exec("kubeadm reset --force");
    expect(master.exec("ls /etc/kubernetes/manifests /etc/kubernetes/pki | wc -l").trim()).toBe("3");
    await placeShared(master);
    const withFlag = initYaml(settings, master).replace("  certSANs:", "  extraArgs:\n    - name: cloud-provider\n      value: external\n  certSANs:");
    put(master, "/root/cloud.yaml", withFlag);
    master.exec("rm -f /etc/kubernetes/kx/init.yaml");
    const out = fails(master, "KX_STANDIN_WAIT_SECONDS=4 kubeadm init --config /root/cloud.yaml");
    expect(out).toContain("the control plane did not become ready in time");
    expect(master.exec("cat /var/log/kubelet.log")).toContain("unknown flag: --cloud-provider");
  });
});
