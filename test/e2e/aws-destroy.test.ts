/**
 * `kx destroy` through the real binary, after a real create: it leaves nothing tagged
 * for the cluster (and nothing of its VPC), also when the state directory is gone; a
 * second destroy writes nothing; --dry-run lists what it would delete and deletes
 * nothing. What Kubernetes made in the VPC (a Service's load balancer and its security
 * group) goes too.
 */
import { rmSync } from "node:fs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "./support/build.js";
import { clusterResourceLines, liveInventory, ofCluster, one, tagsOf, type Inventory } from "./support/inventory.js";
import { addServiceLoadBalancer } from "./support/kubernetes-made.js";
import { settle } from "./support/settle.js";
import { CLUSTER, describeRun, startWorld, ZONES, type World } from "./support/world.js";

let world: World | undefined;
beforeAll(ensureBuilt, 180_000);
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function created(): Promise<World> {
  world = await startWorld();
  const run = await world.create();
  expect(run.code, describeRun(run)).toBe(0);
  await settle(world.fake);
  return world;
}

const destroyArgs = (w: World) => ["destroy", "-f", w.configFile, "--yes"];

/** Whatever is left of the cluster: its tagged resources, Kubernetes' ones, its hosted zone, anything in its VPC. */
function leftovers(inv: Inventory, vpcId: string): string[] {
  const k8s = Object.entries(inv).flatMap(([type, list]) =>
    list.filter((r) => tagsOf(r)[`kubernetes.io/cluster/${CLUSTER}`] && !tagsOf(r)["kx:cluster"]).map((r) => `${type} ${r.id} (kubernetes)`),
  );
  const inVpc = Object.entries(inv).flatMap(([type, list]) => list.filter((r) => r.vpcId === vpcId).map((r) => `${type} ${r.id} (in the VPC)`));
  const zones = (inv.zone ?? []).map((z) => `zone ${z.name}`);
  return [...clusterResourceLines(inv), ...k8s, ...inVpc, ...zones];
}

describe("kx destroy", () => {
  it("refuses without --yes unattended; --dry-run lists everything it would delete and deletes nothing; then destroy leaves nothing; a second destroy writes nothing", async () => {
    const w = await created();
    let inv = liveInventory(w.fake);
    const vpcId = one(inv, "vpc", "network/vpc").id;
    const publicSubnets = ZONES.map((z) => one(inv, "subnet", `network/subnet-public:${z}`).id);
    const service = await addServiceLoadBalancer(w.fake, vpcId, publicSubnets);
    inv = liveInventory(w.fake);

    const writes = w.fake.counts().writes;
    // Unattended without --yes: refused, nothing touched.
    const unconfirmed = await w.kx(["destroy", "-f", w.configFile]);
    expect(unconfirmed.code, describeRun(unconfirmed)).toBe(2);
    expect(unconfirmed.stderr).toMatch(/refusing to destroy cluster lab without confirmation/);

    const dry = await w.kx(["destroy", "-f", w.configFile, "--dry-run"]);
    expect(dry.code, describeRun(dry)).toBe(0);
    expect(w.fake.counts().writes).toBe(writes);
    const listed = (id: string) => expect(dry.stdout, `the dry run names ${id}`).toContain(id);
    for (const type of ["vpc", "subnet", "igw", "eip", "nat", "rtb", "sg", "instance", "lt"]) for (const r of ofCluster(inv[type])) listed(r.id);
    for (const type of ["role", "instanceProfile", "repository", "keypair"]) for (const r of ofCluster(inv[type])) listed(tagsOf(r).Name!);
    listed("kx-lab-workers");
    listed(inv.zone![0]!.id);
    listed(service.groupId);
    expect(dry.stdout).toMatch(/lab-api|loadbalancer\/net\/lab-api/);
    expect(dry.stdout).toMatch(/a1b2c3d4e5f6/);
    expect(dry.stdout).not.toMatch(/Destroyed/);
    expect(leftovers(liveInventory(w.fake), vpcId).length).toBe(leftovers(inv, vpcId).length);

    const destroy = await w.kx(destroyArgs(w));
    expect(destroy.code, describeRun(destroy)).toBe(0);
    await settle(w.fake);
    expect(leftovers(liveInventory(w.fake), vpcId)).toEqual([]);

    const before = w.fake.counts().writes;
    const again = await w.kx(destroyArgs(w));
    expect(again.code, describeRun(again)).toBe(0);
    expect(w.fake.counts().writes - before, w.fake.calls().slice(-20).map((c) => `${c.action}${c.error ? ` ${c.error}` : ""}`).join(", ")).toBe(0);
  }, 180_000);

  it("leaves nothing when the state directory was deleted: the tag sweep finds it all", async () => {
    const w = await created();
    const vpcId = one(liveInventory(w.fake), "vpc", "network/vpc").id;
    rmSync(w.stateDir, { recursive: true, force: true });
    const destroy = await w.kx(destroyArgs(w));
    expect(destroy.code, describeRun(destroy)).toBe(0);
    await settle(w.fake);
    expect(leftovers(liveInventory(w.fake), vpcId)).toEqual([]);
  }, 180_000);
});
