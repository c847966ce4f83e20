/**
 * The real kx binary creates the infrastructure of examples/cluster.yaml against the
 * fake AWS endpoint; the test then reads the fake's resources and checks what exists,
 * how it is wired, how it is tagged and who may reach what. A second run, with and
 * without its state directory, writes nothing.
 */
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "./support/build.js";
import { clusterCounts, clusterResourceLines, duplicates, EXAMPLE_COUNTS, liveInventory, ofCluster, one, tagsOf, type Inventory, type Resource } from "./support/inventory.js";
import { startProxy, type AwsProxy } from "./support/proxy.js";
import { settle } from "./support/settle.js";
import { CLUSTER, describeRun, startWorld, ZONES, type World } from "./support/world.js";

let world: World;
let proxy: AwsProxy;
let inv: Inventory;
const letter = (zone: string) => zone.slice(-1);

beforeAll(async () => {
  await ensureBuilt();
  // A small latency scale: NAT gateways, instances and the load balancer take a few
  // hundred milliseconds to become ready, so kx's waiters really wait.
  world = await startWorld({ latencyScale: 0.005 });
  proxy = await startProxy(world.fake);
  const run = await world.create([], { endpoint: proxy.url });
  expect(run.code, describeRun(run)).toBe(0);
  await settle(world.fake);
  inv = liveInventory(world.fake);
}, 180_000);

afterAll(async () => {
  await proxy?.close();
  await world?.close();
});

/** The id of the resource with kx:id `id`. */
const idOf = (type: string, id: string) => one(inv, type, id).id;
const instances = () => ofCluster(inv.instance);
const named = (name: string) => {
  const found = instances().filter((i) => tagsOf(i).Name === name);
  expect(found, name).toHaveLength(1);
  return found[0]!;
};

describe("kx create cluster (infrastructure) against the fake AWS", () => {
  it("creates each resource of the example cluster once", () => {
    // These and nothing else carry the cluster's tag (RDS is disabled in the example).
    expect(clusterCounts(inv)).toEqual(EXAMPLE_COUNTS);
    expect(duplicates(inv)).toEqual([]);
    expect(instances().map((i) => tagsOf(i).Name).sort()).toEqual([
      "etcd-a", "etcd-b", "etcd-c", "lab-bastion", "lab-worker", "lab-worker", "lab-worker", "master-a", "master-b", "master-c",
    ]);
    // The only untagged route table and security group are the VPC's own defaults.
    const vpcId = idOf("vpc", "network/vpc");
    const untaggedTables = inv.rtb!.filter((t) => !tagsOf(t)["kx:cluster"]);
    expect(untaggedTables.map((t) => ({ vpc: t.vpcId, main: t.main, subnets: t.associations.filter((a: Resource) => a.subnetId).length }))).toEqual([
      { vpc: vpcId, main: true, subnets: 0 },
    ]);
    expect(inv.sg!.filter((g) => !tagsOf(g)["kx:cluster"]).map((g) => g.groupName)).toEqual(["default"]);
  });

  it("wires the network: one public route table to the IGW, one private table per zone to that zone's NAT", () => {
    const vpcId = idOf("vpc", "network/vpc");
    const vpc = one(inv, "vpc", "network/vpc");
    expect([vpc.cidrBlock, vpc.enableDnsHostnames, vpc.enableDnsSupport]).toEqual(["10.0.0.0/16", true, true]);
    const igw = one(inv, "igw", "network/internet-gateway");
    expect(igw.vpcId).toBe(vpcId);

    const publicTable = one(inv, "rtb", "network/route-table-public");
    const publicSubnets = ZONES.map((z) => idOf("subnet", `network/subnet-public:${z}`));
    expect(publicTable.routes.find((r: Resource) => r.destinationCidrBlock === "0.0.0.0/0")).toMatchObject({ gatewayId: igw.id });
    expect(publicTable.associations.map((a: Resource) => a.subnetId).sort()).toEqual([...publicSubnets].sort());

    for (const zone of ZONES) {
      const publicSubnet = one(inv, "subnet", `network/subnet-public:${zone}`);
      const privateSubnet = one(inv, "subnet", `network/subnet-private:${zone}`);
      expect([publicSubnet.availabilityZone, privateSubnet.availabilityZone]).toEqual([zone, zone]);
      expect(privateSubnet.mapPublicIpOnLaunch).toBe(false);
      const nat = one(inv, "nat", `network/nat-gateway:${zone}`);
      expect(nat.state).toBe("available");
      expect(nat.subnetId, `NAT of ${zone} sits in the public subnet of ${zone}`).toBe(publicSubnet.id);
      expect(nat.allocationId).toBe(idOf("eip", `network/eip:${zone}`));

      const table = one(inv, "rtb", `network/route-table-private:${zone}`);
      const defaultRoutes = table.routes.filter((r: Resource) => r.destinationCidrBlock === "0.0.0.0/0");
      expect(defaultRoutes, `the default route of ${zone}`).toEqual([expect.objectContaining({ natGatewayId: nat.id })]);
      expect(table.associations.map((a: Resource) => a.subnetId)).toEqual([privateSubnet.id]);
      expect(table.vpcId).toBe(vpcId);
    }
  });

  it("keeps every machine private but the bastion, one etcd and one control-plane node per zone", () => {
    const publicSubnets = new Set(ZONES.map((z) => idOf("subnet", `network/subnet-public:${z}`)));
    for (const zone of ZONES) {
      const privateSubnet = idOf("subnet", `network/subnet-private:${zone}`);
      for (const name of [`etcd-${letter(zone)}`, `master-${letter(zone)}`]) {
        const node = named(name);
        expect([node.subnetId, node.availabilityZone], name).toEqual([privateSubnet, zone]);
      }
    }
    const workers = instances().filter((i) => tagsOf(i).Name === "lab-worker");
    const privateSubnets = ZONES.map((z) => idOf("subnet", `network/subnet-private:${z}`));
    expect(workers.map((w) => w.subnetId).sort()).toEqual([...privateSubnets].sort());
    expect(one(inv, "asg", "machines/worker-asg").subnets.sort()).toEqual([...privateSubnets].sort());

    expect(instances().filter((i) => i.publicIp).map((i) => tagsOf(i).Name)).toEqual(["lab-bastion"]);
    expect(publicSubnets.has(named("lab-bastion").subnetId)).toBe(true);

    const lb = one(inv, "lb", "edge/api-lb");
    expect(lb.scheme).toBe("internal");
    expect(lb.subnets.map((s: Resource) => s.subnetId).sort()).toEqual([...privateSubnets].sort());
    const tg = one(inv, "tg", "edge/api-lb");
    expect([tg.protocol, tg.port, tg.targetType, tg.healthCheck.protocol]).toEqual(["TCP", 6443, "ip", "TCP"]);
    expect(one(inv, "listener", "edge/api-lb")).toMatchObject({ port: 6443, protocol: "TCP", loadBalancerArn: lb.id, targetGroupArns: [tg.id] });
  });

  it("names the API and the etcd members in a private hosted zone of the VPC", () => {
    const zones = inv.zone ?? [];
    expect(zones.map((z) => [z.name, z.private, z.vpcs.map((v: Resource) => v.VPCId)])).toEqual([
      ["lab.example.com.", true, [idOf("vpc", "network/vpc")]],
    ]);
    const records = Object.fromEntries(zones[0]!.records.filter((r: Resource) => r.type === "A").map((r: Resource) => [r.name, r]));
    expect(Object.keys(records).sort()).toEqual(["api.lab.example.com.", "etcd-a.lab.example.com.", "etcd-b.lab.example.com.", "etcd-c.lab.example.com."]);
    expect(records["api.lab.example.com."].alias.DNSName).toBe(`${one(inv, "lb", "edge/api-lb").dnsName}.`);
    for (const l of ["a", "b", "c"]) expect(records[`etcd-${l}.lab.example.com.`].values).toEqual([named(`etcd-${l}`).privateIp]);
  });

  it("tags every resource with kx:cluster, kx:id and Name, and what Kubernetes needs with its cluster tag", () => {
    for (const line of clusterResourceLines(inv)) {
      const [, id, name] = line.split(" ");
      expect(id, line).toMatch(/^(network|security|edge|machines|optional)\//);
      expect(name, line).not.toBe("");
    }
    const owned = (r: Resource) => tagsOf(r)[`kubernetes.io/cluster/${CLUSTER}`];
    expect(owned(one(inv, "vpc", "network/vpc"))).toBe("owned");
    for (const zone of ZONES) {
      const pub = one(inv, "subnet", `network/subnet-public:${zone}`);
      const priv = one(inv, "subnet", `network/subnet-private:${zone}`);
      expect([owned(pub), tagsOf(pub)["kubernetes.io/role/elb"]]).toEqual(["owned", "1"]);
      expect([owned(priv), tagsOf(priv)["kubernetes.io/role/internal-elb"]]).toEqual(["owned", "1"]);
    }
    for (const node of instances().filter((i) => tagsOf(i).Name !== "lab-bastion")) expect(owned(node), tagsOf(node).Name).toBe("owned");
  });

  it("opens only what each role needs", () => {
    const group = (role: string) => one(inv, "sg", `security/sg:${role}`);
    const gid = (role: string) => group(role).id;
    const roleOf = new Map(["bastion", "etcd", "control-plane", "worker", "api-lb", "ingress-lb"].map((r) => [gid(r), r]));
    /** Who may reach `port` (tcp) on each group: "from-role" or the CIDR. */
    const sources = (port: number) =>
      Object.fromEntries(
        [...roleOf].map(([id, role]) => [
          role,
          group(role)
            .rules.filter((r: Resource) => !r.isEgress && r.ipProtocol === "tcp" && r.fromPort <= port && port <= r.toPort)
            .map((r: Resource) => (r.refGroupId ? roleOf.get(r.refGroupId) : r.cidrIpv4))
            .sort(),
        ]),
      );
    expect(sources(22)).toEqual({ bastion: ["203.0.113.0/24"], etcd: ["bastion"], "control-plane": ["bastion"], worker: ["bastion"], "api-lb": [], "ingress-lb": [] });
    expect(sources(2379)).toEqual({ bastion: [], etcd: ["control-plane", "etcd"], "control-plane": [], worker: [], "api-lb": [], "ingress-lb": [] });
    expect(sources(2380)).toEqual({ bastion: [], etcd: ["etcd"], "control-plane": [], worker: [], "api-lb": [], "ingress-lb": [] });
    for (const nodePort of [30000, 31234, 32767]) {
      expect(sources(nodePort)).toEqual({ bastion: [], etcd: [], "control-plane": [], worker: ["ingress-lb"], "api-lb": [], "ingress-lb": [] });
    }
    expect(sources(6443)["control-plane"]).toEqual(["10.0.0.0/16", "api-lb"]);
    // No node is open to the internet on any port.
    for (const role of ["etcd", "control-plane", "worker"]) {
      expect(group(role).rules.filter((r: Resource) => !r.isEgress && r.cidrIpv4 === "0.0.0.0/0"), role).toEqual([]);
    }
    // Every instance is in its role's group only.
    for (const node of instances()) expect(node.groups, tagsOf(node).Name).toEqual([gid(tagsOf(node)["kx:role"]!)]);
  });

  it("requires IMDSv2 (hop limit 2 on the control plane, 1 elsewhere) and encrypted gp3 root volumes", () => {
    for (const node of instances()) {
      const role = tagsOf(node)["kx:role"];
      expect(node.metadata, tagsOf(node).Name).toMatchObject({ httpTokens: "required", httpPutResponseHopLimit: role === "control-plane" ? 2 : 1 });
      expect(node.volumes.map((v: Resource) => v.encrypted), tagsOf(node).Name).toEqual([true]);
    }
    const sizes = Object.fromEntries(["etcd-a", "master-a", "lab-bastion"].map((n) => [n, named(n).volumes[0].volumeSize]));
    expect(sizes).toEqual({ "etcd-a": 20, "master-a": 50, "lab-bastion": 20 });
    // The fake keeps no volume type on instances: read what kx asked for.
    const runs = proxy.sent.filter((r) => r.action === "RunInstances");
    expect(runs).toHaveLength(7);
    for (const r of runs) {
      expect([r.params.get("BlockDeviceMapping.1.Ebs.VolumeType"), r.params.get("BlockDeviceMapping.1.Ebs.Encrypted")]).toEqual(["gp3", "true"]);
      expect(r.params.get("MetadataOptions.HttpTokens")).toBe("required");
    }
    const template = one(inv, "lt", "machines/worker-launch-template");
    const data = template.versions.at(-1).data;
    expect(data.MetadataOptions).toMatchObject({ HttpTokens: "required", HttpPutResponseHopLimit: 1 });
    expect(data.BlockDeviceMappings).toEqual([expect.objectContaining({ Ebs: expect.objectContaining({ VolumeType: "gp3", Encrypted: true, VolumeSize: 50 }) })]);
  });

  it("waited for what AWS makes ready later: it polled NAT gateways, instances and the load balancer", () => {
    const polls = (action: string) => world.fake.calls().filter((c) => c.action === action).length;
    // At this latency scale each becomes ready only after a few hundred milliseconds.
    expect(polls("DescribeNatGateways")).toBeGreaterThan(2 * ZONES.length);
    expect(polls("DescribeInstances")).toBeGreaterThan(7);
    expect(polls("DescribeLoadBalancers")).toBeGreaterThan(2);
    expect(one(inv, "lb", "edge/api-lb").state).toBe("active");
    expect(instances().every((i) => i.state === "running")).toBe(true);
  });

  it("writes nothing on a second run, nor on one that lost its state directory", async () => {
    const before = world.fake.counts().writes;
    const again = await world.create();
    expect(again.code, describeRun(again)).toBe(0);
    expect(world.fake.counts().writes - before).toBe(0);

    // The truth is AWS: without the state, every step looks its resource up by tags.
    rmSync(world.stateDir, { recursive: true, force: true });
    const readsBefore = world.fake.counts().reads;
    const fresh = await world.create();
    expect(fresh.code, describeRun(fresh)).toBe(0);
    const counts = world.fake.counts();
    expect(counts.writes - before, world.fake.calls().filter((c) => c.kind === "write").slice(-10).map((c) => c.action).join(", ")).toBe(0);
    expect(counts.reads - readsBefore).toBeGreaterThan(40);
  }, 120_000);
});
