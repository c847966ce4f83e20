/** The add-on steps: which run, in which order, the values they render, and how they plan against helm status. */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { SecretStore } from "../../../src/secrets/store.js";
import type { SshPool, SshSession } from "../../../src/ssh/types.js";
import { addonSteps, addonsNotInstalled } from "../../../src/steps/addons/index.js";
import { ciliumValues } from "../../../src/steps/addons/cilium.js";
import { storageClass } from "../../../src/steps/addons/ebs-csi.js";
import type { NodeHost } from "../../../src/steps/inventory.js";
import { fakeContext, parseConfig } from "../pki/fake-context.js";
import { deriveConfig } from "../../../src/config/derive.js";

const AWS = { region: "eu-west-1", zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"], dns: { zone: "lab.example.com" } };
const master: NodeHost = { name: "master-a", role: "control-plane", privateIp: "10.0.64.5", nodeName: "ip-10-0-64-5", ssh: { host: "10.0.64.5", port: 22, user: "ubuntu" } as NodeHost["ssh"] };
const LB = { "edge/api-lb": { dnsName: "lab-api-0123.elb.eu-west-1.amazonaws.com" } };

/** A master whose helm answers `status` with `status` (undefined: not found); commands are recorded. */
function helmAnswers(status: object | undefined): { pool: SshPool; commands: string[] } {
  const commands: string[] = [];
  const session = {
    target: master.ssh,
    exec: async (command: string) => {
      commands.push(command);
      if (command.includes(" status ")) return status ? { code: 0, stdout: JSON.stringify(status), stderr: "" } : { code: 1, stdout: "", stderr: "Error: release: not found\n" };
      throw new Error(`unexpected command ${command}`);
    },
  } as unknown as SshSession;
  return { pool: { session: async () => session, close: async () => {} }, commands };
}

const awsConfig = () => deriveConfig(parseConfig(AWS) as never);
const ciliumStep = () => addonSteps(awsConfig()).find((s) => s.id === "addons/cilium")!;

describe("add-on steps", () => {
  it("on AWS: the cloud controller, then Cilium, then the EBS CSI driver, the Istio mesh and the EFK stack, after the API is up", () => {
    const steps = addonSteps(awsConfig());
    expect(steps.map((s) => [s.id, s.needs])).toEqual([
      ["addons/cloud-controller", ["kubernetes/api-endpoint"]],
      ["addons/cilium", ["addons/cloud-controller"]],
      ["addons/ebs-csi", ["addons/cilium"]],
      ["addons/gateway-api", ["addons/cilium", "addons/cloud-controller"]],
      ["addons/istio-base", ["addons/gateway-api"]],
      ["addons/istiod", ["addons/istio-base"]],
      ["addons/istio-cni", ["addons/istiod"]],
      ["addons/ztunnel", ["addons/istio-cni"]],
      ["addons/istio-ingress", ["addons/ztunnel"]],
      ["addons/prometheus", ["addons/istiod"]],
      ["addons/jaeger", ["addons/istiod"]],
      ["addons/kiali", ["addons/istiod", "addons/prometheus", "addons/jaeger"]],
      ["addons/eck-operator", ["addons/ebs-csi"]],
      ["addons/efk", ["addons/eck-operator"]],
      ["addons/metricbeat", ["addons/efk"]],
    ]);
  });

  it("on a hosts: cluster Cilium, the mesh and the EFK stack; every add-on the config turns on is installed", () => {
    const config = deriveConfig(parseConfig({ hosts: [{ name: "m", address: "10.0.0.1", roles: ["control-plane", "etcd"] }] }) as never);
    expect(addonSteps(config).map((s) => [s.id, s.needs]).slice(0, 2)).toEqual([
      ["addons/cilium", ["kubernetes/api-endpoint"]],
      ["addons/gateway-api", ["addons/cilium"]],
    ]);
    expect(addonSteps(config).map((s) => s.id).slice(-3)).toEqual(["addons/eck-operator", "addons/efk", "addons/metricbeat"]);
    expect(addonsNotInstalled(config)).toEqual([]);
  });

  it("names the observability tools only when they are on without Istio (with it they are installed), and nothing for Istio itself", () => {
    const hosts = [{ name: "m", address: "10.0.0.1", roles: ["control-plane", "etcd"] }];
    const some = deriveConfig(parseConfig({ hosts, addons: { istio: { observability: { kiali: false, grafana: false } }, efk: { enabled: false } } }) as never);
    expect(addonsNotInstalled(some)).toEqual([]);
    expect(addonSteps(some).map((s) => s.id).slice(-2)).toEqual(["addons/prometheus", "addons/jaeger"]);
    const orphans = deriveConfig(parseConfig({ hosts, addons: { istio: { enabled: false, observability: { prometheus: true, jaeger: true } }, efk: { enabled: false } } }) as never);
    expect(addonsNotInstalled(orphans)).toEqual(["istio's observability tools (prometheus, jaeger) without Istio"]);
    expect(addonSteps(orphans).map((s) => s.id)).toEqual(["addons/cilium"]);
    const none = deriveConfig(parseConfig({ hosts, addons: { istio: { enabled: false }, efk: { enabled: false } } }) as never);
    expect(addonsNotInstalled(none)).toEqual([]);
    expect(addonSteps(none).map((s) => s.id)).toEqual(["addons/cilium"]);
  });

  it("Cilium replaces kube-proxy, reaching the API through the control-plane endpoint, with the pod CIDR or ENI addresses", () => {
    const config = awsConfig();
    expect(ciliumValues(config, "api.lab")).toMatchObject({
      kubeProxyReplacement: true,
      k8sServiceHost: "api.lab",
      k8sServicePort: 6443,
      ipam: { mode: "cluster-pool", operator: { clusterPoolIPv4PodCIDRList: [config.network.podCidr] } },
      socketLB: { hostNamespaceOnly: true },
      cni: { exclusive: false },
    });
    const eni = { ...config, addons: { ...config.addons, cilium: { ...config.addons.cilium, ipam: "eni" as const } } };
    expect(ciliumValues(eni, "api.lab")).toMatchObject({ ipam: { mode: "eni" }, eni: { enabled: true }, routingMode: "native" });
  });

  it("the default StorageClass is encrypted gp3, bound when a pod is scheduled, expandable", () => {
    expect(storageClass("gp3")).toEqual({
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: "gp3", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
      provisioner: "ebs.csi.aws.com",
      volumeBindingMode: "WaitForFirstConsumer",
      allowVolumeExpansion: true,
      reclaimPolicy: "Delete",
      parameters: { type: "gp3", "csi.storage.k8s.io/fstype": "ext4", encrypted: "true" },
    });
  });

  it("plans an install without machines, touching nothing", async () => {
    const ctx = fakeContext({ config: AWS, secrets: {} as SecretStore });
    expect(await ciliumStep().plan(ctx)).toEqual([{ action: "create", target: "release kube-system/cilium", detail: "helm install cilium 1.19.4" }]);
  });

  it("plans nothing when helm reports the same chart version and values deployed, an upgrade when the values differ, an install when absent", async () => {
    const config = awsConfig();
    const values = ciliumValues(config, LB["edge/api-lb"].dnsName);
    const deployed = { name: "cilium", version: 1, info: { status: "deployed" }, chart: { metadata: { name: "cilium", version: "1.19.4" } }, config: values };
    const plan = async (status: object | undefined) => {
      const { pool } = helmAnswers(status);
      const ctx = fakeContext({ config: AWS, secrets: {} as SecretStore, hosts: [master], ssh: pool, outputs: LB });
      return ciliumStep().plan(ctx);
    };
    expect(await plan(deployed)).toEqual([]);
    const [upgrade] = await plan({ ...deployed, config: { ...values, k8sServicePort: 443 } });
    expect(upgrade).toMatchObject({ action: "update", host: "master-a", detail: "helm upgrade cilium 1.19.4 (values changed)" });
    const [install] = await plan(undefined);
    expect(install).toMatchObject({ action: "create", detail: "helm install cilium 1.19.4" });
    expect(install!.files!.map((f) => [f.path, f.mode])).toEqual([["/etc/kubernetes/kx/addons/cilium.yaml", 0o600]]);
    expect(parse(install!.files![0]!.content)).toEqual(values);
    const [older] = await plan({ ...deployed, chart: { metadata: { name: "cilium", version: "1.18.0" } } });
    expect(older!.detail).toBe("helm upgrade cilium 1.19.4 (chart cilium 1.18.0 → cilium 1.19.4)");
  });
});
