import { readFileSync } from "node:fs";
import Ajv from "ajv";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { Secret } from "../../../src/engine/secret.js";
import {
  clusterConfiguration,
  initConfiguration,
  joinConfiguration,
  kubeletConfiguration,
  toYaml,
  type ClusterSettings,
} from "../../../src/steps/kubernetes/kubeadm-config.js";
// @ts-expect-error plain JavaScript stand-in library
import { decodeKubeadmConfig } from "../../harness/standins/lib/kubeadm-config.js";

const schema = JSON.parse(readFileSync(new URL("../../harness/schemas/kubeadm-v1beta4.schema.json", import.meta.url), "utf8"));
const AjvClass = (Ajv as unknown as { default?: typeof Ajv }).default ?? Ajv;
const validate = new AjvClass({ allErrors: true, strict: false }).compile(schema);

const settings: ClusterSettings = {
  clusterName: "lab",
  kubernetesVersion: "1.36.1",
  controlPlaneEndpoint: "lab-api-0123.elb.eu-west-1.amazonaws.com:6443",
  certSANs: ["lab-api-0123.elb.eu-west-1.amazonaws.com", "api.lab.example.com"],
  podSubnet: "10.244.0.0/16",
  serviceSubnet: "10.96.0.0/12",
  etcdEndpoints: ["https://10.0.96.10:2379", "https://10.0.112.10:2379", "https://10.0.128.10:2379"],
  kubeProxyDisabled: true,
  externalCloudProvider: true,
};
const node = { name: "ip-10-0-64-10.eu-west-1.compute.internal", privateIp: "10.0.64.10" };
const token = new Secret("abcdef.0123456789abcdef");
const discovery = { apiServerEndpoint: settings.controlPlaneEndpoint, token, caCertHash: `sha256:${"a".repeat(64)}` };

/** Every kubeadm document validates against the strict schema; other APIs are skipped. */
function expectValid(yamlText: string): Record<string, unknown>[] {
  const docs = parseAllDocuments(yamlText).map((d) => d.toJS() as Record<string, unknown>);
  for (const doc of docs) {
    if (doc.apiVersion !== "kubeadm.k8s.io/v1beta4") continue;
    const ok = validate(doc);
    expect(validate.errors ?? [], String(doc.kind)).toEqual([]);
    expect(ok).toBe(true);
  }
  const decoded = decodeKubeadmConfig(yamlText);
  expect(decoded.unknownFields).toEqual([]);
  return docs;
}

describe("kubeadm v1beta4 configs", () => {
  it("init + cluster + kubelet configuration validate strictly and carry what the cluster needs", () => {
    const text = toYaml([initConfiguration(settings, node), clusterConfiguration(settings), kubeletConfiguration()], { reveal: false });
    const [init, cluster, kubelet] = expectValid(text) as [any, any, any];
    expect(init.nodeRegistration.name).toBe(node.name);
    expect(init.nodeRegistration.criSocket).toBe("unix:///run/containerd/containerd.sock");
    expect(init.nodeRegistration.kubeletExtraArgs).toEqual([
      { name: "cloud-provider", value: "external" },
      { name: "node-ip", value: "10.0.64.10" },
    ]);
    expect(init.localAPIEndpoint).toEqual({ advertiseAddress: "10.0.64.10", bindPort: 6443 });
    expect(cluster.kubernetesVersion).toBe("v1.36.1");
    expect(cluster.controlPlaneEndpoint).toBe(settings.controlPlaneEndpoint);
    expect(cluster.apiServer.certSANs).toContain("api.lab.example.com");
    expect(cluster.proxy).toEqual({ disabled: true });
    expect(cluster.networking).toEqual({ podSubnet: "10.244.0.0/16", serviceSubnet: "10.96.0.0/12", dnsDomain: "cluster.local" });
    expect(cluster.etcd.external).toEqual({
      endpoints: settings.etcdEndpoints,
      caFile: "/etc/kubernetes/pki/etcd/ca.crt",
      certFile: "/etc/kubernetes/pki/apiserver-etcd-client.crt",
      keyFile: "/etc/kubernetes/pki/apiserver-etcd-client.key",
    });
    expect(kubelet).toEqual({ apiVersion: "kubelet.config.k8s.io/v1beta1", kind: "KubeletConfiguration", cgroupDriver: "systemd" });
    // No cloud-provider on the API server or the controller manager (removed in 1.33).
    expect(text.match(/cloud-provider/g)).toHaveLength(1);
  });

  it("a hosts cluster without AWS gets no cloud-provider at all, and kube-proxy when Cilium is off", () => {
    const plain = { ...settings, externalCloudProvider: false, kubeProxyDisabled: false };
    const text = toYaml([initConfiguration(plain, node), clusterConfiguration(plain)], { reveal: false });
    const [init, cluster] = expectValid(text) as [any, any];
    expect(text).not.toContain("cloud-provider");
    expect(init.nodeRegistration.kubeletExtraArgs).toEqual([{ name: "node-ip", value: "10.0.64.10" }]);
    expect(cluster.proxy).toBeUndefined();
  });

  it("join configurations for control plane and workers validate, the token masked unless revealed", () => {
    const cp = joinConfiguration(settings, node, discovery, "control-plane");
    const worker = joinConfiguration(settings, node, discovery, "worker");
    const masked = toYaml([cp], { reveal: false });
    expect(masked).not.toContain("0123456789abcdef");
    expect(masked).toContain("token: \"***\"");
    const [j] = expectValid(toYaml([cp], { reveal: true })) as [any];
    expect(j.discovery.bootstrapToken).toEqual({
      apiServerEndpoint: settings.controlPlaneEndpoint,
      token: "abcdef.0123456789abcdef",
      caCertHashes: [discovery.caCertHash],
    });
    expect(j.controlPlane).toEqual({ localAPIEndpoint: { advertiseAddress: "10.0.64.10", bindPort: 6443 } });
    const [w] = expectValid(toYaml([worker], { reveal: true })) as [any];
    expect(w.controlPlane).toBeUndefined();
    expect(w.nodeRegistration.taints).toBeUndefined();
  });

  it("the schema and the stand-in's decoder reject what kubeadm rejects", () => {
    const v1beta3ExtraArgs = toYaml([clusterConfiguration(settings)], { reveal: false }).replace(
      "certSANs:",
      "extraArgs:\n    authorization-mode: Node,RBAC\n  certSANs:",
    );
    expect(validate(parseAllDocuments(v1beta3ExtraArgs)[0]!.toJS())).toBe(false);
    expect(() => decodeKubeadmConfig(v1beta3ExtraArgs)).toThrow(/cannot unmarshal object into Go struct field \.apiServer\.extraArgs of type \[\]v1beta4\.Arg/);
    const misspelt = toYaml([clusterConfiguration(settings)], { reveal: false }).replace("podSubnet", "podCIDR");
    expect(decodeKubeadmConfig(misspelt).unknownFields).toEqual(['strict decoding error: unknown field "networking.podCIDR"']);
    const old = toYaml([clusterConfiguration(settings)], { reveal: false }).replace("v1beta4", "v1beta3");
    expect(() => decodeKubeadmConfig(old)).toThrow(/old API spec: "kubeadm.k8s.io\/v1beta3"/);
    const wrongKind = "apiVersion: kubeadm.k8s.io/v1beta4\nkind: MasterConfiguration\n";
    expect(() => decodeKubeadmConfig(wrongKind)).toThrow(/no kind "MasterConfiguration" is registered/);
  });
});
