/**
 * Every config rule, one broken config each: the exact message, YAML path and line.
 * The fixtures' bodies start at line 7 (aws, hosts) or line 4 (doc).
 */
import { describe, expect, test } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { ConfigError, type ConfigIssue } from "../../src/engine/errors.js";
import { aws, doc, hosts } from "./fixtures.js";

function problems(text: string): ConfigIssue[] {
  try {
    parseConfig(text, "cluster.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error("expected the config to be rejected");
}

const ONE_HOST = "  - { name: node-1, address: 10.1.0.1, roles: [etcd, control-plane] }\n";

const rows: [string, string, ConfigIssue[]][] = [
  // names
  ["name not DNS-1123", "apiVersion: kx.dev/v1alpha1\nkind: Cluster\nname: Lab_1\nregion: eu-west-1\ndns: { zone: lab.example.com }\nssh: { bastion: { allowedCidrs: [203.0.113.0/24] } }\n",
    [{ path: "name", line: 3, message: "must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit" }]],
  ["host name not DNS-1123", hosts("  - { name: Node_3, address: 10.1.0.3, roles: [worker] }\n"),
    [{ path: "hosts[2].name", line: 7, message: "must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit" }]],
  // shape basics
  ["wrong apiVersion", aws().replace("kx.dev/v1alpha1", "kx.dev/v1"), [{ path: "apiVersion", line: 1, message: 'Invalid input: expected "kx.dev/v1alpha1"' }]],
  ["unknown key", aws("workers: { size: 3 }\n"), [{ path: "workers.size", line: 7, message: 'unknown key "size"' }]],
  ["wrong type", aws("workers: { max: many }\n"), [{ path: "workers.max", line: 7, message: "Invalid input: expected number, received string" }]],
  ["missing apiVersion", aws().replace("apiVersion: kx.dev/v1alpha1\n", ""), [{ path: "apiVersion", message: "is required" }]],
  // CIDRs
  ["CIDR malformed", aws("network: { vpcCidr: 10.0.0.300/16 }\n"), [{ path: "network.vpcCidr", line: 7, message: '"10.0.0.300/16" is not an IPv4 CIDR block such as 10.0.0.0/16' }]],
  ["CIDR with host bits", aws("network:\n  podCidr: 10.244.1.0/16\n"), [{ path: "network.podCidr", line: 8, message: '"10.244.1.0/16" has host bits set; the block is 10.244.0.0/16' }]],
  ["bastion CIDR malformed", aws("").replace("203.0.113.0/24", "my-office"), [{ path: "ssh.bastion.allowedCidrs[0]", line: 6, message: '"my-office" is not an IPv4 CIDR block such as 10.0.0.0/16' }]],
  ["VPC too large for AWS", aws("network: { vpcCidr: 10.0.0.0/12 }\n"), [{ path: "network.vpcCidr", line: 7, message: "must be between /16 and /28, the VPC sizes AWS allows (got /12)" }]],
  ["VPC too small to derive subnets", aws("network: { vpcCidr: 10.0.0.0/26 }\n"),
    [{ path: "network.vpcCidr", line: 7, message: "/26 is too small for kx to derive the subnets (it needs /16 to /24); list network.publicSubnets and network.privateSubnets yourself" }]],
  // subnets
  ["subnet outside the VPC", aws("network:\n  publicSubnets: [10.0.0.0/20, 10.1.16.0/20, 10.0.32.0/20]\n  privateSubnets: [10.0.64.0/18, 10.0.128.0/18, 10.0.192.0/18]\n"),
    [{ path: "network.publicSubnets[1]", line: 8, message: "10.1.16.0/20 is not inside the VPC 10.0.0.0/16 (network.vpcCidr)" }]],
  ["subnets overlapping", aws("network:\n  publicSubnets: [10.0.0.0/20, 10.0.16.0/20, 10.0.32.0/20]\n  privateSubnets:\n    - 10.0.64.0/18\n    - 10.0.0.0/18\n    - 10.0.192.0/18\n"),
    [{ path: "network.privateSubnets[1]", line: 11, message: "10.0.0.0/18 overlaps network.publicSubnets[0] (10.0.0.0/20)" }]],
  ["subnet too small for AWS", aws("network:\n  publicSubnets: [10.0.0.0/29, 10.0.16.0/20, 10.0.32.0/20]\n  privateSubnets: [10.0.64.0/18, 10.0.128.0/18, 10.0.192.0/18]\n"),
    [{ path: "network.publicSubnets[0]", line: 8, message: "must be between /16 and /28, the subnet sizes AWS allows (got /29)" }]],
  ["only one subnet list", aws("network:\n  publicSubnets: [10.0.0.0/20, 10.0.16.0/20, 10.0.32.0/20]\n"),
    [{ path: "network.privateSubnets", line: 7, message: "must be given together with network.publicSubnets: kx derives both from network.vpcCidr only when both are left out" }]],
  ["not one subnet per zone", aws("network:\n  publicSubnets: [10.0.0.0/20]\n  privateSubnets: [10.0.64.0/18, 10.0.128.0/18, 10.0.192.0/18]\n"),
    [{ path: "network.publicSubnets", line: 8, message: "must list 3 subnets, one per zone" }]],
  // pod and service CIDRs
  ["pod CIDR overlaps the VPC", aws("network: { podCidr: 10.0.128.0/17 }\n"), [{ path: "network.podCidr", line: 7, message: "10.0.128.0/17 overlaps the VPC 10.0.0.0/16 (network.vpcCidr)" }]],
  ["service CIDR overlaps the VPC", aws("network: { serviceCidr: 10.0.0.0/12 }\n"), [{ path: "network.serviceCidr", line: 7, message: "10.0.0.0/12 overlaps the VPC 10.0.0.0/16 (network.vpcCidr)" }]],
  ["service CIDR overlaps the pod CIDR", aws("network:\n  podCidr: 172.16.0.0/16\n  serviceCidr: 172.16.0.0/20\n"),
    [{ path: "network.serviceCidr", line: 9, message: "172.16.0.0/20 overlaps network.podCidr (172.16.0.0/16)" }]],
  ["service CIDR too large", aws("network: { serviceCidr: 172.0.0.0/11 }\n"),
    [{ path: "network.serviceCidr", line: 7, message: "must be /12 or smaller: kube-apiserver allows at most 2^20 service addresses (got /11)" }]],
  ["pod CIDR too small for the nodes", aws("network: { podCidr: 10.244.0.0/22 }\n"),
    [{ path: "network.podCidr", line: 7, message: "10.244.0.0/22 holds 4 per-node /24 blocks but the cluster can have 9 nodes; use a larger block such as /16" }]],
  // zones
  ["two zones", aws("zones: [eu-west-1a, eu-west-1b]\n"),
    [{ path: "zones", line: 7, message: "must list exactly 3 availability zones, one per etcd and control-plane member (got 2)" }]],
  ["zone listed twice", aws("zones:\n  - eu-west-1a\n  - eu-west-1b\n  - eu-west-1a\n"), [{ path: "zones[2]", line: 10, message: '"eu-west-1a" is listed twice (also zones[0])' }]],
  ["zone outside the region", aws("zones: [eu-west-1a, eu-west-1b, us-east-1c]\n"),
    [{ path: "zones[2]", line: 7, message: '"us-east-1c" is not a zone of region eu-west-1: expected eu-west-1 followed by one letter, e.g. eu-west-1a' }]],
  ["zones without a region", hosts("zones: [eu-west-1a, eu-west-1b, eu-west-1c]\n"),
    [{ path: "region", message: "is required when zones are given: a zone is named after its region (e.g. eu-west-1a)" }]],
  // counts
  ["even etcd count", aws("etcd: { count: 4 }\n"), [{ path: "etcd.count", line: 7, message: "must be 1, 3 or 5: an odd number keeps a quorum when a member is lost (got 4)" }]],
  ["control plane of 10", aws("controlPlane:\n  count: 10\n"), [{ path: "controlPlane.count", line: 8, message: "must be 1 to 9 (got 10)" }]],
  ["control plane of 0", aws("controlPlane: { count: 0 }\n"), [{ path: "controlPlane.count", line: 7, message: "must be 1 to 9 (got 0)" }]],
  ["workers min above max", aws("workers: { min: 8, desired: 8, max: 6 }\n"), [{ path: "workers.min", line: 7, message: "must not be greater than workers.max (6)" }]],
  ["workers desired below min", aws("workers:\n  min: 4\n  desired: 2\n"), [{ path: "workers.desired", line: 9, message: "must be at least workers.min (4)" }]],
  ["workers desired above max", aws("workers:\n  desired: 7\n"), [{ path: "workers.desired", line: 8, message: "must not be greater than workers.max (6)" }]],
  // Kubernetes version
  ["version format", aws("kubernetes: { version: '1.36' }\n"), [{ path: "kubernetes.version", line: 7, message: "must be a version such as 1.36.1" }]],
  ["version out of range", aws("kubernetes: { version: 1.34.2 }\n"),
    [{ path: "kubernetes.version", line: 7, message: "Kubernetes 1.34 is not supported: kx supports 1.35 to 1.37 (default 1.36.1)" }]],
  // add-ons
  ["Istio observability without Istio", aws("addons:\n  istio:\n    enabled: false\n    observability: { grafana: true }\n"),
    [{ path: "addons.istio.observability.grafana", line: 10, message: "needs addons.istio.enabled: true (it is one of Istio's observability tools)" }]],
  ["Metricbeat without EFK", aws("addons:\n  efk: { enabled: false }\n  metricbeat: { enabled: true }\n"),
    [{ path: "addons.metricbeat.enabled", line: 9, message: "needs addons.efk.enabled: true (Metricbeat ships to the EFK stack's Elasticsearch)" }]],
  ["Istio without Cilium", aws("addons:\n  cilium: { enabled: false }\n"),
    [{ path: "addons.istio.enabled", message: "needs addons.cilium.enabled: true (kx chains Istio's CNI onto Cilium)", line: 7 }]],
  ["no cloud controller on AWS", aws("addons:\n  cloudController: { enabled: false }\n"),
    [{ path: "addons.cloudController.enabled", line: 8, message: "must stay true on AWS: kubelets run with cloud-provider=external and wait for the cloud controller to initialise them" }]],
  ["EBS CSI on hosts", hosts("addons:\n  ebsCsi: { enabled: true }\n"), [{ path: "addons.ebsCsi.enabled", line: 8, message: "needs AWS instances; a hosts: cluster cannot enable it" }]],
  ["Cilium ENI IPAM on hosts", hosts("addons:\n  cilium: { ipam: eni }\n"),
    [{ path: "addons.cilium.ipam", line: 8, message: "eni gives pods VPC addresses and needs AWS instances; a hosts: cluster uses cluster-pool" }]],
  ["unknown Istio mode", aws("addons: { istio: { mode: sidecars } }\n"), [{ path: "addons.istio.mode", line: 7, message: 'Invalid option: expected one of "ambient"|"sidecar"' }]],
  // images
  ["no build and no AMIs", aws("images:\n  build: false\n"), [
    { path: "images.node", line: 7, message: "is required when images.build is false: the AMI id of the node image" },
    { path: "images.etcd", line: 7, message: "is required when images.build is false: the AMI id of the etcd image" },
  ]],
  ["malformed AMI id", aws("images: { build: false, node: ami-123, etcd: ami-0123456789abcdef0 }\n"),
    [{ path: "images.node", line: 7, message: "must be an AMI id such as ami-0123456789abcdef0" }]],
  // bastion and SSH
  ["bastion without allowed CIDRs", doc("region: eu-west-1\ndns: { zone: lab.example.com }\n"), [{ path: "ssh.bastion.allowedCidrs",
    message: "must list at least one CIDR allowed to reach the bastion (e.g. your office's public range 203.0.113.0/24) while ssh.bastion.enabled is true" }]],
  ["AWS bastion on hosts", hosts("ssh: { bastion: { enabled: true } }\n"),
    [{ path: "ssh.bastion.enabled", line: 7, message: "a hosts: cluster has no AWS bastion; give one of its hosts the bastion role instead" }]],
  // RDS and ECR
  ["RDS on hosts", hosts("rds: { enabled: true }\n"), [{ path: "rds.enabled", line: 7, message: "needs AWS: a hosts: cluster cannot have an RDS database" }]],
  ["RDS reserved user", aws("rds:\n  enabled: true\n  username: rdsadmin\n"), [{ path: "rds.username", line: 9, message: "rdsadmin is reserved by RDS; choose another name" }]],
  ["RDS storage below minimum", aws("rds: { allocatedStorageGiB: 5 }\n"), [{ path: "rds.allocatedStorageGiB", line: 7, message: "Too small: expected number to be >=20" }]],
  ["ECR repository twice", aws("ecr:\n  repositories: [app, web, app]\n"), [{ path: "ecr.repositories[2]", line: 8, message: '"app" is listed twice (also ecr.repositories[0])' }]],
  ["ECR repository name", aws("ecr: { repositories: [App] }\n"),
    [{ path: "ecr.repositories[0]", line: 7, message: "must be an ECR repository name: lower-case letters and digits, separated by '.', '_', '-' or '/'" }]],
  ["ECR on hosts without a region", hosts("ecr: { repositories: [app] }\n"),
    [{ path: "region", message: "is required when ecr.repositories lists repositories: ECR is a regional service" }]],
  // AWS mode requirements
  ["AWS cluster without region", doc("dns: { zone: lab.example.com }\nssh: { bastion: { allowedCidrs: [203.0.113.0/24] } }\n"),
    [{ path: "region", message: "is required unless hosts: lists existing machines: the AWS region, e.g. eu-west-1" }]],
  ["AWS cluster without DNS zone", doc("region: eu-west-1\nssh: { bastion: { allowedCidrs: [203.0.113.0/24] } }\n"),
    [{ path: "dns.zone", message: "is required unless hosts: lists existing machines: the cluster's DNS zone, e.g. lab.example.com" }]],
  ["DNS block without zone", aws("").replace("dns: { zone: lab.example.com }", "dns: { apiName: k8s }"), [{ path: "dns.zone", line: 5, message: "is required" }]],
  // hosts
  ["host names not unique", hosts("  - { name: node-2, address: 10.1.0.3, roles: [worker] }\n"),
    [{ path: "hosts[2].name", line: 7, message: '"node-2" is already the name of hosts[1]' }]],
  ["host addresses not unique", hosts("  - { name: node-3, address: 10.1.0.2, roles: [worker] }\n"),
    [{ path: "hosts[2].address", line: 7, message: "10.1.0.2 (port 22) is already the address of hosts[1]" }]],
  ["even number of etcd hosts", hosts("  - { name: node-3, address: 10.1.0.3, roles: [etcd] }\n"),
    [{ path: "hosts", line: 4, message: "needs an odd number of hosts with role etcd (1, 3, 5, …) to keep a quorum; found 2" }]],
  ["no control-plane host", doc("hosts:\n  - { name: node-1, address: 10.1.0.1, roles: [etcd] }\n"),
    [{ path: "hosts", line: 4, message: "needs at least one host with role control-plane" }]],
  ["two bastions", hosts("  - { name: jump-1, address: 10.1.0.8, roles: [bastion] }\n  - { name: jump-2, address: 10.1.0.9, roles: [bastion] }\n"),
    [{ path: "hosts[3].roles", line: 8, message: "only one host may be the bastion (hosts[2] already is)" }]],
  ["bastion with another role", doc(`hosts:\n${ONE_HOST}  - { name: jump, address: 10.1.0.8, roles: [bastion, worker] }\n`),
    [{ path: "hosts[1].roles", line: 6, message: "the bastion role cannot be combined with another: the bastion is the one host reachable from outside" }]],
  ["role listed twice", doc(`hosts:\n  - { name: node-1, address: 10.1.0.1, roles: [etcd, control-plane, etcd] }\n`),
    [{ path: "hosts[0].roles[2]", line: 5, message: '"etcd" is listed twice' }]],
  ["unknown role", hosts("  - { name: node-3, address: 10.1.0.3, roles: [master] }\n"),
    [{ path: "hosts[2].roles[0]", line: 7, message: 'Invalid option: expected one of "etcd"|"control-plane"|"worker"|"bastion"' }]],
  ["private address not an IP", hosts("  - { name: node-3, address: 10.1.0.3, privateAddress: node-3.lan, roles: [worker] }\n"),
    [{ path: "hosts[2].privateAddress", line: 7, message: "must be an IPv4 address: etcd and the API server advertise it to the other nodes" }]],
  ["host name address without private IP", hosts("  - { name: node-3, address: node-3.example.com, roles: [worker] }\n"),
    [{ path: "hosts[2].privateAddress", line: 7, message: "is required when address is a host name (node-3.example.com): the cluster needs each node's IPv4 address" }]],
];

describe("config rules", () => {
  test.each(rows)("%s", (_name, text, expected) => {
    expect(problems(text)).toEqual(expected.map((e) => ({ path: e.path, message: e.message, line: e.line })));
  });

  // etcd holds the quorum; the API servers, apart from it, may be any number.
  test.each([2, 4, 7, 9])("a control plane of %i on AWS is valid", (count) => {
    expect(parseConfig(aws(`controlPlane: { count: ${count} }\n`)).config.controlPlane.count).toBe(count);
  });

  test("two control-plane hosts (and one etcd host) make a valid hosts: cluster", () => {
    const { config } = parseConfig(hosts("  - { name: node-3, address: 10.1.0.3, roles: [control-plane] }\n"));
    expect(config.hosts!.filter((h) => h.roles.includes("control-plane")).map((h) => h.name)).toEqual(["node-1", "node-3"]);
  });

  test("the fixtures themselves are valid", () => {
    expect(() => parseConfig(aws())).not.toThrow();
    expect(() => parseConfig(hosts())).not.toThrow();
  });
});

describe("unknown keys", () => {
  test.each([
    ["workers: { instancetype: t3.large }\n", "workers.instancetype", 'unknown key "instancetype" (did you mean "instanceType"?)'],
    ["network: { vpcCIDR: 10.0.0.0/16 }\n", "network.vpcCIDR", 'unknown key "vpcCIDR" (did you mean "vpcCidr"?)'],
    ["addons: { isito: { enabled: false } }\n", "addons.isito", 'unknown key "isito" (did you mean "istio"?)'],
    ["zone: eu-west-1a\n", "zone", 'unknown key "zone" (did you mean "zones"?)'],
    ["addons: { istio: { observability: { grafanna: true } } }\n", "addons.istio.observability.grafanna", 'unknown key "grafanna" (did you mean "grafana"?)'],
    ["colour: blue\n", "colour", 'unknown key "colour"'],
  ])("%s", (body, path, message) => {
    expect(problems(aws(body))).toEqual([{ path, message, line: 7 }]);
  });

  test("inside a list of hosts", () => {
    expect(problems(hosts("  - { name: node-3, adress: 10.1.0.3, roles: [worker] }\n"))).toEqual([
      { path: "hosts[2].address", line: 7, message: "is required" },
      { path: "hosts[2].adress", line: 7, message: 'unknown key "adress" (did you mean "address"?)' },
    ]);
  });
});
