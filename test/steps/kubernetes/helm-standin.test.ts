/**
 * The helm stand-in on a real cluster of test hosts (cluster fixture: PKI, real etcd,
 * kubeadm init on master-a): kx's `helm upgrade --install`, status, list, get values
 * and uninstall against the API server stand-in, and each refusal real helm (or the
 * chart's components) would give.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { failingExec, startCluster, type ClusterFixture, type TestHost } from "./cluster-fixture.js";

const ADMIN = "--kubeconfig /etc/kubernetes/admin.conf";
const CILIUM = "cilium --repo https://helm.cilium.io/ --version 1.19.1";
const EBS = "aws-ebs-csi-driver --repo https://kubernetes-sigs.github.io/aws-ebs-csi-driver --version 2.52.1";
const GATEWAY = "gateway --repo https://blob.istio.io/istio-release/charts --version 1.30.3";

let c: ClusterFixture;
let master: TestHost;

function put(path: string, content: string): void {
  const file = master.pathOnHost(path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content, { mode: 0o600 });
}

const fails = (command: string) => failingExec(master, command);

const helm = (args: string) => master.exec(`helm ${args}`);
const json = (args: string) => JSON.parse(helm(args));
const kubectlJson = (args: string) => JSON.parse(master.exec(`kubectl ${ADMIN} ${args} -o json`));
const kubectlFails = (args: string) => fails(`kubectl ${ADMIN} ${args}`);

/** The cilium values kx renders (stack.md), in two files: the second one wins. */
const ciliumValues = {
  kubeProxyReplacement: true,
  k8sServiceHost: "10.0.0.10",
  k8sServicePort: 6443,
  ipam: { mode: "cluster-pool", operator: { clusterPoolIPv4PodCIDRList: ["10.244.0.0/16"] } },
  socketLB: { hostNamespaceOnly: true },
  cni: { exclusive: false },
  operator: { replicas: 3 },
  hubble: { enabled: true, relay: { enabled: true }, ui: { enabled: true } },
};

beforeAll(async () => {
  c = await startCluster();
  await c.run([...c.steps.pki, ...c.steps.etcd, c.steps.kubernetes[0]!]);
  master = c.hosts["master-a"]!;
  put("/root/cilium.yaml", stringify(ciliumValues));
  put("/root/cilium-override.yaml", stringify({ operator: { replicas: 2 } }));
}, 300_000);

afterAll(async () => {
  await c?.stop();
});

const install = (release: string, chart: string, ns: string, values: string[], extra = "--create-namespace") =>
  `helm upgrade --install ${release} ${chart} --namespace ${ns} ${extra} ${values.map((v) => `--values ${v}`).join(" ")} --wait --timeout 10m0s ${ADMIN}`;

describe("helm stand-in", () => {
  it("reports a helm v3 version", () => {
    expect(helm("version --template '{{ .Version }}'")).toBe("v3.19.0");
    expect(helm("version")).toMatch(/^version\.BuildInfo\{Version:"v3\.19\.0", GitCommit:"[0-9a-f]{40}"/);
  });

  it("installs cilium: a release Secret like helm's, and the chart's DaemonSet and Deployments in the API", () => {
    const out = master.exec(install("cilium", CILIUM, "kube-system", ["/root/cilium.yaml", "/root/cilium-override.yaml"]));
    expect(out).toContain('Release "cilium" does not exist. Installing it now.');
    expect(out).toMatch(/STATUS: deployed\nREVISION: 1\n/);

    const status = json(`status cilium --namespace kube-system ${ADMIN} -o json`);
    expect(status).toMatchObject({
      name: "cilium",
      namespace: "kube-system",
      version: 1,
      info: { status: "deployed", description: "Install complete" },
      chart: { metadata: { name: "cilium", version: "1.19.1", appVersion: "1.19.1" } },
    });
    expect(status.info.first_deployed).toBe(status.info.last_deployed);
    expect(status.config).toEqual({ ...ciliumValues, operator: { replicas: 2 } });

    const secret = kubectlJson("get secret sh.helm.release.v1.cilium.v1 -n kube-system");
    expect(secret.type).toBe("helm.sh/release.v1");
    expect(secret.metadata.labels).toMatchObject({ owner: "helm", name: "cilium", status: "deployed", version: "1" });
    expect(secret.metadata.labels.createdAt).toMatch(/^\d+$/);

    const ds = kubectlJson("get daemonset cilium -n kube-system");
    expect(ds.metadata.labels["app.kubernetes.io/managed-by"]).toBe("Helm");
    expect(ds.metadata.annotations).toEqual({ "meta.helm.sh/release-name": "cilium", "meta.helm.sh/release-namespace": "kube-system" });
    expect(ds.spec.template.spec.containers[0].image).toBe("quay.io/cilium/cilium:v1.19.1");
    expect(kubectlJson("get deployment cilium-operator -n kube-system").spec.replicas).toBe(2);
    expect(kubectlJson("get deployment hubble-ui -n kube-system").metadata.name).toBe("hubble-ui");
    expect(kubectlJson("get configmap cilium-config -n kube-system").data).toMatchObject({ "kube-proxy-replacement": "true", ipam: "cluster-pool", "cluster-pool-ipv4-cidr": "10.244.0.0/16" });
  });

  it("upgrades: revision 2 with the new values, revision 1 superseded, dropped workloads deleted", () => {
    put("/root/cilium-override.yaml", `# kx: values\n${stringify({ operator: { replicas: 1 }, hubble: { ui: { enabled: false } } })}`);
    // The form kx's addon steps run: global flag first, arguments quoted, --flag=value.
    const out = master.exec(
      `helm ${ADMIN} upgrade --install 'cilium' 'cilium' --repo 'https://helm.cilium.io/' --version '1.19.1' --namespace 'kube-system' --create-namespace ` +
        "--values '/root/cilium.yaml' -f=/root/cilium-override.yaml --wait --timeout 10m0s",
    );
    expect(out).toContain('Release "cilium" has been upgraded. Happy Helming!');
    const status = json(`${ADMIN} status 'cilium' --namespace 'kube-system' -o json`);
    expect(status).toMatchObject({ version: 2, info: { status: "deployed", description: "Upgrade complete" } });
    expect(status.config.operator).toEqual({ replicas: 1 });
    expect(status.config.hubble).toEqual({ enabled: true, relay: { enabled: true }, ui: { enabled: false } });
    expect(kubectlJson("get secret sh.helm.release.v1.cilium.v1 -n kube-system").metadata.labels.status).toBe("superseded");
    expect(kubectlJson("get deployment cilium-operator -n kube-system").spec.replicas).toBe(1);
    expect(kubectlFails("get deployment hubble-ui -n kube-system")).toContain("not found");
    expect(json(`get values cilium -n kube-system -o json ${ADMIN}`)).toEqual(status.config);
  });

  it("lists releases in one namespace and in all, creating a namespace on request", () => {
    put("/root/ebs.yaml", stringify({ controller: { replicas: 2 } }));
    master.exec(install("aws-ebs-csi-driver", EBS, "kube-system", ["/root/ebs.yaml"]));
    put("/root/gateway.yaml", stringify({ service: { annotations: { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb" } } }));
    master.exec(install("istio-ingressgateway", GATEWAY, "istio-ingress", ["/root/gateway.yaml"]));
    expect(kubectlJson("get namespace istio-ingress").metadata.labels).toEqual({ name: "istio-ingress" });
    expect(kubectlJson("get deployment istio-ingressgateway -n istio-ingress").metadata.annotations["meta.helm.sh/release-namespace"]).toBe("istio-ingress");
    expect(kubectlJson("get daemonset ebs-csi-node -n kube-system").metadata.labels["app.kubernetes.io/managed-by"]).toBe("Helm");

    const inKubeSystem = json(`list -n kube-system -o json ${ADMIN}`) as { name: string; revision: string; chart: string; status: string }[];
    expect(inKubeSystem.map((r) => [r.name, r.revision, r.chart, r.status])).toEqual([
      ["aws-ebs-csi-driver", "1", "aws-ebs-csi-driver-2.52.1", "deployed"],
      ["cilium", "2", "cilium-1.19.1", "deployed"],
    ]);
    const all = json(`list -A -o json ${ADMIN}`) as { name: string; namespace: string; updated: string }[];
    expect(all.map((r) => `${r.namespace}/${r.name}`)).toEqual(["kube-system/aws-ebs-csi-driver", "kube-system/cilium", "istio-ingress/istio-ingressgateway"]);
    expect(all[0]!.updated).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \+0000 UTC$/);
  });

  it("uninstalls: release Secrets and workloads gone, then status says not found", () => {
    expect(helm(`uninstall aws-ebs-csi-driver -n kube-system ${ADMIN}`)).toBe('release "aws-ebs-csi-driver" uninstalled\n');
    expect(kubectlFails("get daemonset ebs-csi-node -n kube-system")).toContain("not found");
    expect(kubectlFails("get deployment ebs-csi-controller -n kube-system")).toContain("not found");
    expect(kubectlFails("get secret sh.helm.release.v1.aws-ebs-csi-driver.v1 -n kube-system")).toContain("not found");
    expect(fails(`helm status aws-ebs-csi-driver -n kube-system -o json ${ADMIN}`)).toBe("Error: release: not found\n");
    expect(fails(`helm uninstall aws-ebs-csi-driver -n kube-system ${ADMIN}`)).toBe("Error: uninstall: Release not loaded: aws-ebs-csi-driver: release: not found\n");
    expect(fails(`helm uninstall Bad_Name -n kube-system ${ADMIN}`)).toBe("Error: uninstall: Release name is invalid: Bad_Name\n");
    expect(fails(`helm get values aws-ebs-csi-driver -n kube-system -o json ${ADMIN}`)).toBe("Error: release: not found\n");
    // cilium is untouched.
    expect(json(`status cilium -n kube-system -o json ${ADMIN}`).version).toBe(2);
  });
});

describe("helm stand-in refusals", () => {
  it("an unknown chart, or a version that is not one", () => {
    expect(fails(install("x", "ciliumm --repo https://helm.cilium.io/ --version 1.19.1", "kube-system", ["/root/cilium.yaml"]))).toContain(
      'Error: chart "ciliumm" version "1.19.1" not found in https://helm.cilium.io/ repository',
    );
    expect(fails(install("x", "cilium --repo https://helm.cilium.io/ --version latest", "kube-system", ["/root/cilium.yaml"]))).toContain(
      'Error: chart "cilium" version "latest" not found in https://helm.cilium.io/ repository',
    );
    expect(fails(install("x", "cilium --repo https://charts.example.com --version 1.0.0", "kube-system", []))).toContain('Error: looks like "https://charts.example.com" is not a valid chart repository or cannot be reached');
    expect(fails(install("x", "cilium --repo https://helm.cilium.io/ --version ^1.19", "kube-system", []))).toContain("helm stand-in: unsupported --version");
    expect(fails(install("x", "cilium --repo https://helm.cilium.io/", "kube-system", []))).toContain("helm stand-in: unsupported upgrade without --version");
    expect(fails(install("Cilium_1", CILIUM, "kube-system", ["/root/cilium.yaml"]))).toContain('Error: release name "Cilium_1": invalid release name, must match regex');
  });

  it("a values file that is missing or not a mapping", () => {
    expect(fails(install("x", CILIUM, "kube-system", ["/root/none.yaml"]))).toContain("Error: open /root/none.yaml: no such file or directory");
    put("/root/list.yaml", "- a\n- b\n");
    expect(fails(install("x", CILIUM, "kube-system", ["/root/list.yaml"]))).toContain(
      "Error: failed to parse /root/list.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}",
    );
  });

  it("values that break the chart's values.schema.json", () => {
    put("/root/wrong-type.yaml", stringify({ ...ciliumValues, k8sServicePort: true, operator: { replicas: "two" } }));
    const out = fails(install("cilium-bad", CILIUM, "kube-system", ["/root/wrong-type.yaml"]));
    expect(out).toContain("Error: values don't meet the specifications of the schema(s) in the following chart(s):\ncilium:\n");
    expect(out).toContain("- at '/k8sServicePort': got boolean, want string or integer");
    expect(out).toContain("- at '/operator/replicas': got string, want integer");
    put("/root/gateway-bad.yaml", stringify({ serviceAnnotations: { a: "b" } }));
    expect(fails(install("gw", GATEWAY, "istio-ingress", ["/root/gateway-bad.yaml"]))).toContain("gateway:\n- at '': additional properties 'serviceAnnotations' not allowed");
    expect(fails(`helm status cilium-bad -n kube-system -o json ${ADMIN}`)).toBe("Error: release: not found\n");
  });

  it("cilium without kube-proxy and no k8sServiceHost: the agent cannot reach the API, the release fails", () => {
    const { k8sServiceHost: _, ...noHost } = ciliumValues;
    put("/root/no-host.yaml", stringify(noHost));
    const out = fails(install("cilium", CILIUM, "kpr-test", ["/root/no-host.yaml"]));
    expect(out).toContain('msg="Unable to contact k8s api-server"');
    expect(out).toContain("k8sServiceHost/k8sServicePort are not set");
    expect(json(`status cilium -n kpr-test -o json ${ADMIN}`).info.status).toBe("failed");
    // The DaemonSet exists, as helm created it, marked so the kubelet stand-in knows its pods crash-loop.
    expect(kubectlJson("get daemonset cilium -n kpr-test").metadata.annotations["standins.kx.test/crash-loop"]).toContain("Unable to contact k8s api-server");
    put("/root/no-cidr.yaml", stringify({ ...ciliumValues, ipam: { mode: "cluster-pool", operator: { clusterPoolIPv4PodCIDRList: [] } } }));
    const upgraded = fails(install("cilium", CILIUM, "kpr-test", ["/root/no-cidr.yaml"]));
    expect(upgraded).toContain("Error: UPGRADE FAILED: context deadline exceeded");
    expect(upgraded).toContain("cluster-pool-ipv4-cidr must be provided");
    // Fixed values: revision 3 deploys, the failed revision it replaces is superseded.
    master.exec(install("cilium", CILIUM, "kpr-test", ["/root/cilium.yaml"]));
    expect(kubectlJson("get daemonset cilium -n kpr-test").metadata.annotations).not.toHaveProperty(["standins.kx.test/crash-loop"]);
    const revisions = [1, 2, 3].map((n) => kubectlJson(`get secret sh.helm.release.v1.cilium.v${n} -n kpr-test`).metadata.labels.status);
    expect(revisions).toEqual(["failed", "superseded", "deployed"]);
    expect((json(`list -n kpr-test -o json ${ADMIN}`) as { revision: string }[]).map((r) => r.revision)).toEqual(["3"]);
    master.exec(`helm uninstall cilium -n kpr-test ${ADMIN}`);
    expect(kubectlFails("get daemonset cilium -n kpr-test")).toContain("not found");
  });

  it("a namespace that does not exist, without --create-namespace", () => {
    put("/root/ebs.yaml", "{}\n");
    expect(fails(install("aws-ebs-csi-driver", EBS, "nowhere", ["/root/ebs.yaml"], ""))).toContain('Error: create: failed to create: namespaces "nowhere" not found');
    expect(kubectlFails("get namespace nowhere")).toContain("not found");
  });

  it("an API it cannot reach, or no kubeconfig", () => {
    const conf = master.exec("cat /etc/kubernetes/admin.conf").replace(/server: https:\/\/[^\n]+/, "server: https://127.0.0.1:1");
    put("/root/down.conf", conf);
    expect(fails("helm status cilium -n kube-system -o json --kubeconfig /root/down.conf")).toBe(
      'Error: Kubernetes cluster unreachable: Get "https://127.0.0.1:1/version": dial tcp 127.0.0.1:1: connect: connection refused\n',
    );
    expect(fails(install("cilium", CILIUM, "kube-system", ["/root/cilium.yaml"]).replace(ADMIN, "--kubeconfig /root/down.conf"))).toContain("Error: Kubernetes cluster unreachable");
    expect(fails("helm list -A -o json --kubeconfig /root/none.conf")).toBe("Error: Kubernetes cluster unreachable: stat /root/none.conf: no such file or directory\n");
    expect(fails("env -u KUBECONFIG HOME=/root helm list -A -o json")).toContain('Error: Kubernetes cluster unreachable: Get "http://localhost:8080/version"');
  });

  it("commands and flags kx does not use", () => {
    expect(fails(`helm install cilium ${CILIUM} ${ADMIN}`)).toContain('helm stand-in: unsupported command "install"');
    expect(fails(`helm upgrade --install cilium ${CILIUM} --set a=b ${ADMIN}`)).toContain("helm stand-in: unsupported flag --set");
    expect(fails(`helm status cilium -n kube-system ${ADMIN}`)).toContain("helm stand-in: unsupported output");
    expect(fails(`helm upgrade cilium ${CILIUM} ${ADMIN}`)).toContain("helm stand-in: unsupported upgrade without --install");
    expect(fails(install("cilium", CILIUM, "kube-system", ["/root/cilium.yaml"]).replace("10m0s", "10 minutes"))).toContain('"helm upgrade" requires 2 arguments');
    expect(fails(install("cilium", CILIUM, "kube-system", ["/root/cilium.yaml"]).replace("10m0s", "10x"))).toContain('Error: invalid argument "10x" for "--timeout" flag: time: invalid duration "10x"');
  });
});
