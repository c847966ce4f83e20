/**
 * A joining AWS node registers under its node name (the EC2 private DNS name, as the
 * cloud controller expects and as kx looks it up to see whether it joined), not under
 * kx's host name: with the wrong name every later join step took the masters for
 * unjoined and reset them.
 */
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import type { ClusterSettings } from "../../../src/steps/kubernetes/kubeadm-config.js";
import { plannedJoinFiles } from "../../../src/steps/kubernetes/node-join.js";
import type { NodeHost } from "../../../src/steps/inventory.js";

const settings: ClusterSettings = {
  clusterName: "lab",
  kubernetesVersion: "1.36.1",
  controlPlaneEndpoint: "lab-api-0123.elb.eu-west-1.amazonaws.com:6443",
  certSANs: [],
  podSubnet: "10.244.0.0/16",
  serviceSubnet: "10.96.0.0/12",
  etcdEndpoints: ["https://10.0.96.10:2379"],
  kubeProxyDisabled: true,
  externalCloudProvider: true,
};
const master: NodeHost = {
  name: "master-d",
  role: "control-plane",
  privateIp: "10.0.64.21",
  nodeName: "ip-10-0-64-21.eu-west-1.compute.internal",
  ssh: { name: "master-d", address: "10.0.64.21", port: 22, user: "ubuntu", privateKeyFile: "/dev/null" },
};

describe("the join configuration of an AWS master", () => {
  it("names the node by its private DNS name and advertises its private IP", () => {
    const file = plannedJoinFiles(settings, master, "control-plane").find((f) => f.path.endsWith("kubeadm-join.yaml"))!;
    const [join] = parseAllDocuments(file.content).map((d) => d.toJS());
    expect(join.nodeRegistration.name).toBe("ip-10-0-64-21.eu-west-1.compute.internal");
    expect(join.controlPlane.localAPIEndpoint.advertiseAddress).toBe("10.0.64.21");
    expect(file.host).toBe("master-d");
  });
});
