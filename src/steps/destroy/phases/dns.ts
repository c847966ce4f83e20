/**
 * Route 53: the cluster's private hosted zone (every record, then the zone) and, when
 * the config publishes the API in a public zone, that one record, only if it still
 * points at one of the cluster's load balancers (the public zone is not the cluster's).
 */
import { createHash } from "node:crypto";
import type { ResourceRecordSet, Route53Client } from "@aws-sdk/client-route-53";
import { awsCall } from "../../../aws/errors.js";
import { route53Api } from "../../../aws/sdk.js";
import { TAG_CLUSTER, tagValue } from "../../../aws/tags.js";
import { clusterVpcIds, stateIds, unlessNotFound, withStateIds } from "../lookup.js";
import { deleteWhenFree, forEachItem } from "../retry.js";
import type { DestroyItem, DestroyPhase } from "../types.js";
import { clusterLoadBalancers } from "./load-balancers.js";

type Sdk = typeof import("@aws-sdk/client-route-53");

const bareZoneId = (id: string) => id.replace(/^\/hostedzone\//, "");

/**
 * The CallerReference edge/dns creates the private zone with (src/steps/edge/dns.ts).
 * Route 53 tags a zone only after creating it, so a run killed in between leaves a zone
 * known by this alone.
 */
function edgeZoneReference(cluster: string, vpcId: string): string {
  return `kx-${createHash("sha256").update(`${cluster}:edge/dns:${vpcId}`).digest("hex").slice(0, 40)}`;
}
const fqdn = (name: string) => (name.endsWith(".") ? name : `${name}.`).toLowerCase();

async function recordSets(client: Route53Client, sdk: Sdk, HostedZoneId: string): Promise<ResourceRecordSet[]> {
  const out: ResourceRecordSet[] = [];
  let start: { StartRecordName?: string; StartRecordType?: ResourceRecordSet["Type"]; StartRecordIdentifier?: string } = {};
  for (;;) {
    const page = await awsCall("route53:ListResourceRecordSets", HostedZoneId, () =>
      client.send(new sdk.ListResourceRecordSetsCommand({ HostedZoneId, ...start })),
    );
    out.push(...(page.ResourceRecordSets ?? []));
    if (!page.IsTruncated) return out;
    start = { StartRecordName: page.NextRecordName, StartRecordType: page.NextRecordType, StartRecordIdentifier: page.NextRecordIdentifier };
  }
}

async function deleteRecords(client: Route53Client, sdk: Sdk, HostedZoneId: string, records: ResourceRecordSet[]): Promise<void> {
  for (let i = 0; i < records.length; i += 100) {
    const Changes = records.slice(i, i + 100).map((ResourceRecordSet) => ({ Action: "DELETE" as const, ResourceRecordSet }));
    await awsCall("route53:ChangeResourceRecordSets", HostedZoneId, () =>
      client.send(new sdk.ChangeResourceRecordSetsCommand({ HostedZoneId, ChangeBatch: { Changes } })),
    );
  }
}

function pointsAt(record: ResourceRecordSet, dnsNames: readonly string[]): boolean {
  const targets = [record.AliasTarget?.DNSName, ...(record.ResourceRecords ?? []).map((r) => r.Value)].filter((t): t is string => !!t);
  const wanted = dnsNames.map((n) => fqdn(n).replace(/^dualstack\./, ""));
  return targets.some((t) => wanted.includes(fqdn(t).replace(/^dualstack\./, "")));
}

export const dnsPublicRecord: DestroyPhase = {
  name: "dns-public-record",
  type: "public DNS record",
  after: [],
  async discover(ctx) {
    const dns = ctx.config?.dns;
    if (!dns?.publicZoneId) return [];
    const { client, sdk } = await route53Api(ctx.aws);
    const zoneId = bareZoneId(dns.publicZoneId);
    const name = fqdn(`${dns.apiName}.${dns.zone}`);
    const lbNames = [
      ...(await clusterLoadBalancers(ctx)).map((lb) => lb.facts?.dnsName as string | undefined),
      ...stateIds(ctx, ["edge/api-lb"], "dnsName"),
    ].filter((n): n is string => !!n);
    const records = await unlessNotFound("route53:ListResourceRecordSets", zoneId, () => recordSets(client, sdk, zoneId));
    return (records ?? [])
      .filter((r) => fqdn(r.Name ?? "") === name && pointsAt(r, lbNames))
      .map((r) => ({ id: `${zoneId}/${r.Name}/${r.Type}`, name: `${r.Name} ${r.Type}`, facts: { zoneId, record: JSON.stringify(r) } }));
  },
  async remove(items, run) {
    const { client, sdk } = await route53Api(run.ctx.aws);
    for (const item of items) {
      const zoneId = item.facts!.zoneId as string;
      await unlessNotFound("route53:ChangeResourceRecordSets", item.id, () =>
        deleteRecords(client, sdk, zoneId, [JSON.parse(item.facts!.record as string) as ResourceRecordSet]),
      );
    }
  },
};

export const hostedZones: DestroyPhase = {
  name: "hosted-zones",
  type: "private hosted zone",
  after: [],
  async discover(ctx) {
    const { client, sdk } = await route53Api(ctx.aws);
    const zones = [];
    let Marker: string | undefined;
    do {
      const out = await awsCall("route53:ListHostedZones", `zones of ${ctx.cluster}`, () => client.send(new sdk.ListHostedZonesCommand({ Marker })));
      zones.push(...(out.HostedZones ?? []).filter((z) => z.Config?.PrivateZone));
      Marker = out.IsTruncated ? out.NextMarker : undefined;
    } while (Marker);
    const references = new Set((await clusterVpcIds(ctx)).map((vpcId) => edgeZoneReference(ctx.cluster, vpcId)));
    const found: DestroyItem[] = [];
    for (const zone of zones) {
      const ResourceId = bareZoneId(zone.Id!);
      if (zone.CallerReference && references.has(zone.CallerReference)) {
        found.push({ id: ResourceId, name: zone.Name });
        continue;
      }
      const out = await unlessNotFound("route53:ListTagsForResource", ResourceId, () =>
        client.send(new sdk.ListTagsForResourceCommand({ ResourceType: "hostedzone", ResourceId })),
      );
      if (tagValue(out?.ResourceTagSet?.Tags, TAG_CLUSTER) === ctx.cluster) found.push({ id: ResourceId, name: zone.Name });
    }
    return withStateIds(found, stateIds(ctx, ["edge/dns"], "hostedZoneId").map(bareZoneId), async (id) => {
      const out = await unlessNotFound("route53:GetHostedZone", id, () => client.send(new sdk.GetHostedZoneCommand({ Id: id })));
      return out?.HostedZone ? { id, name: out.HostedZone.Name } : undefined;
    });
  },
  async remove(items, run) {
    const { client, sdk } = await route53Api(run.ctx.aws);
    await forEachItem(items, async ({ id, name }) => {
      const records = await unlessNotFound("route53:ListResourceRecordSets", id, () => recordSets(client, sdk, id));
      if (records === undefined) return;
      const apex = fqdn(name ?? "");
      // The zone's own SOA and NS records go with the zone.
      const own = records.filter((r) => !(fqdn(r.Name ?? "") === apex && (r.Type === "SOA" || r.Type === "NS")));
      if (own.length > 0) await deleteRecords(client, sdk, id, own);
      await deleteWhenFree(run, "route53:DeleteHostedZone", `hosted zone ${name ?? id}`, () => client.send(new sdk.DeleteHostedZoneCommand({ Id: id })));
    });
  },
};
