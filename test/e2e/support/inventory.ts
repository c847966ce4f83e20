/**
 * Reading the fake's inventory the way the tests talk about a cluster: what is alive
 * (terminated instances and deleted NAT gateways stay listed for a while, as on AWS),
 * what belongs to the cluster (its kx:cluster tag), and a signature of the whole world
 * that two runs can be compared by.
 */
import type { FakeAws } from "../../harness/fake-aws/index.js";
import { CLUSTER } from "./world.js";

export type Resource = Record<string, any> & { id: string; tags?: Record<string, string> };
export type Inventory = Record<string, Resource[]>;

/** Bookkeeping of the fake, not resources: idempotency tokens, Route53 change ids, the AMIs the test registered. */
const NOT_RESOURCES = new Set(["clientToken", "change", "image"]);

export function isAlive(type: string, r: Resource): boolean {
  if (type === "instance") return r.state !== "terminated" && r.state !== "shutting-down";
  if (type === "nat") return r.state !== "deleted" && r.state !== "deleting";
  if (type === "asg") return !r.deleted;
  if (type === "dbInstance") return r.status !== "deleting";
  return true;
}

/** Every live resource by type, bookkeeping left out. */
export function liveInventory(fake: FakeAws): Inventory {
  const out: Inventory = {};
  for (const [type, list] of Object.entries(fake.inventory() as Inventory)) {
    if (NOT_RESOURCES.has(type)) continue;
    const alive = list.filter((r) => isAlive(type, r));
    if (alive.length) out[type] = alive;
  }
  return out;
}

/** Tags as a map, whichever shape the service keeps them in (ASG keeps a list). */
export function tagsOf(r: Resource): Record<string, string> {
  if (Array.isArray(r.tags)) return Object.fromEntries(r.tags.map((t: { Key: string; Value: string }) => [t.Key, t.Value]));
  return r.tags ?? {};
}

export function ofCluster(list: Resource[] | undefined, cluster = CLUSTER): Resource[] {
  return (list ?? []).filter((r) => tagsOf(r)["kx:cluster"] === cluster);
}

/** The one live resource of `type` with kx:id `id`; fails loudly when there is none or several. */
export function one(inv: Inventory, type: string, id: string): Resource {
  const found = (inv[type] ?? []).filter((r) => tagsOf(r)["kx:id"] === id);
  if (found.length !== 1) throw new Error(`expected one ${type} with kx:id ${id}, found ${found.length}`);
  return found[0]!;
}

/** Every live resource tagged for the cluster, as "type kx:id Name" lines. */
export function clusterResourceLines(inv: Inventory, cluster = CLUSTER): string[] {
  return Object.entries(inv)
    .flatMap(([type, list]) => ofCluster(list, cluster).map((r) => `${type} ${tagsOf(r)["kx:id"]} ${tagsOf(r).Name ?? ""}`))
    .sort();
}

/**
 * What a finished create leaves, independent of generated ids and of timing: each
 * tagged resource by type, kx:id and Name (a duplicate shows as a repeated line), how
 * many untagged resources of each type exist (default security group, main route
 * table, interfaces), the security-group rules by group, the routes and associations
 * of each route table, the policies of each IAM role and the records of each hosted zone.
 */
export function signature(inv: Inventory): Record<string, unknown> {
  const nameOf = new Map<string, string>();
  for (const list of Object.values(inv)) for (const r of list) nameOf.set(r.id, tagsOf(r)["kx:id"] ?? tagsOf(r).Name ?? r.groupName ?? "?");
  const ref = (id: string | undefined) => (id ? (nameOf.get(id) ?? id) : undefined);
  const untagged = Object.fromEntries(
    Object.entries(inv)
      .map(([type, list]) => [type, list.filter((r) => !tagsOf(r)["kx:cluster"]).length] as const)
      .filter(([, n]) => n > 0),
  );
  const rules = (inv.sg ?? [])
    .map((g) =>
      [ref(g.id), ...(g.rules as Resource[]).map((r) => `${r.isEgress ? "out" : "in"} ${r.ipProtocol} ${r.fromPort ?? ""}-${r.toPort ?? ""} ${r.cidrIpv4 ?? ref(r.refGroupId)}`).sort()].join("\n  "),
    )
    .sort();
  const routes = (inv.rtb ?? [])
    .map((t) =>
      [
        ref(t.id),
        ...(t.routes as Resource[]).map((r) => `${r.destinationCidrBlock} → ${r.gatewayId === "local" ? "local" : ref(r.gatewayId ?? r.natGatewayId)}`).sort(),
        ...(t.associations as Resource[]).map((a) => (a.main ? "main" : `assoc ${ref(a.subnetId)}`)).sort(),
      ].join("\n  "),
    )
    .sort();
  const iam = [
    ...(inv.role ?? []).map((r) => `role ${r.name}: inline ${Object.keys(r.inline ?? {}).sort().join(",")}; attached ${[...(r.attached ?? [])].sort().join(",")}`),
    ...(inv.instanceProfile ?? []).map((p) => `profile ${p.name}: ${[...(p.roles ?? [])].sort().join(",")}`),
  ].sort();
  const records = (inv.zone ?? []).map((z) => [z.name, ...(z.records as Resource[]).map((r) => `${r.name} ${r.type}`).sort()].join("\n  "));
  return { resources: clusterResourceLines(inv), untagged, rules, routes, iam, records };
}

/** kx:ids held by more than one live resource of a type (the autoscaled workers share theirs by design). */
export function duplicates(inv: Inventory): string[] {
  const seen = new Map<string, number>();
  for (const [type, list] of Object.entries(inv)) {
    for (const r of list) {
      const id = tagsOf(r)["kx:id"];
      if (!id || id === "machines/worker-asg") continue;
      const key = `${type} ${id}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
  }
  return [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`);
}

/** How many resources of each type the example cluster's infrastructure has. */
export const EXAMPLE_COUNTS: Record<string, number> = {
  vpc: 1, subnet: 6, igw: 1, eip: 3, nat: 3, rtb: 4, sg: 6, role: 3, instanceProfile: 3,
  lb: 1, tg: 1, listener: 1, keypair: 1, lt: 1, asg: 1, repository: 1, instance: 10,
};

/** Live resources tagged for the cluster, counted by type. */
export function clusterCounts(inv: Inventory, cluster = CLUSTER): Record<string, number> {
  return Object.fromEntries(
    Object.entries(inv)
      .map(([type, list]) => [type, ofCluster(list, cluster).length] as const)
      .filter(([, n]) => n > 0),
  );
}
