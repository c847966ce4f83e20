/**
 * The cluster's private hosted zone (edge/dns): config.dns.zone, associated with the VPC,
 * holding <apiName>.<zone> → the API load balancer; plus the same name in the public
 * zone config.dns.publicZoneId when one is given. Route53 zones take no tags at
 * creation, so the zone is recognised by its CallerReference (derived from the cluster,
 * the step and the VPC) and tagged right after.
 */
import { createHash } from "node:crypto";
import type { HostedZone } from "@aws-sdk/client-route-53";
import type { AwsClients } from "../../aws/clients.js";
import { route53Api } from "../../aws/sdk.js";
import { awsCall, errorCode } from "../../aws/errors.js";
import { kxTags, TAG_CLUSTER, TAG_ID, tagValue } from "../../aws/tags.js";
import { KxError } from "../../engine/errors.js";
import type { Change, Step } from "../../engine/types.js";
import type { ClusterConfig } from "../../config/schema.js";
import type { KxContext } from "../context.js";
import { maybeString, needString } from "../machines/needs.js";
import { API_LB_STEP } from "./api-load-balancer.js";
import { staleRecords, upsertRecords, type WantedRecord } from "./route53-records.js";

export const DNS_STEP = "edge/dns";

type DnsConfig = NonNullable<ClusterConfig["dns"]>;

export function apiFqdn(dns: DnsConfig): string {
  return `${dns.apiName}.${dns.zone}`;
}

function callerReference(cluster: string, vpcId: string): string {
  return `kx-${createHash("sha256").update(`${cluster}:${DNS_STEP}:${vpcId}`).digest("hex").slice(0, 40)}`;
}

/** "/hostedzone/Z123" → "Z123". */
export function bareZoneId(id: string): string {
  return id.replace(/^\/hostedzone\//, "");
}

/** The private zone of this name that is ours: by caller reference when the VPC is known, else by tags. */
export async function findPrivateZone(aws: AwsClients, cluster: string, zoneName: string, vpcId: string | undefined): Promise<HostedZone | undefined> {
  const { client: route53, sdk } = await route53Api(aws);
  const listed = await awsCall("ListHostedZonesByName", zoneName, () => route53.send(new sdk.ListHostedZonesByNameCommand({ DNSName: zoneName, MaxItems: 100 })));
  const candidates = (listed.HostedZones ?? []).filter((z) => z.Name === `${zoneName}.` && z.Config?.PrivateZone);
  if (vpcId) {
    const byReference = candidates.find((z) => z.CallerReference === callerReference(cluster, vpcId));
    if (byReference) return byReference;
  }
  for (const zone of candidates) {
    const tags = await awsCall("ListTagsForResource", zone.Id, () =>
      route53.send(new sdk.ListTagsForResourceCommand({ ResourceType: "hostedzone", ResourceId: bareZoneId(zone.Id!) })),
    );
    const list = tags.ResourceTagSet?.Tags;
    if (tagValue(list, TAG_CLUSTER) === cluster && tagValue(list, TAG_ID) === DNS_STEP) return zone;
  }
  return undefined;
}

async function ensureTagged(aws: AwsClients, cluster: string, zone: HostedZone, name: string): Promise<void> {
  const { client: route53, sdk } = await route53Api(aws);
  const id = bareZoneId(zone.Id!);
  const tags = await awsCall("ListTagsForResource", id, () => route53.send(new sdk.ListTagsForResourceCommand({ ResourceType: "hostedzone", ResourceId: id })));
  if (tagValue(tags.ResourceTagSet?.Tags, TAG_CLUSTER) === cluster) return;
  await awsCall("ChangeTagsForResource", id, () =>
    route53.send(new sdk.ChangeTagsForResourceCommand({ ResourceType: "hostedzone", ResourceId: id, AddTags: kxTags(cluster, DNS_STEP, name) })),
  );
}

function apiRecord(ctx: KxContext, dns: DnsConfig): WantedRecord | undefined {
  const dnsName = maybeString(ctx, API_LB_STEP, "dnsName");
  if (!dnsName) return undefined;
  const hostedZoneId = maybeString(ctx, API_LB_STEP, "canonicalHostedZoneId");
  return hostedZoneId
    ? { name: apiFqdn(dns), type: "A", alias: { hostedZoneId, dnsName } }
    : { name: apiFqdn(dns), type: "CNAME", values: [dnsName], ttl: 60 };
}

export function dnsStep(dns: DnsConfig): Step<KxContext> {
  const fqdn = apiFqdn(dns);
  return {
    id: DNS_STEP,
    title: `DNS zone ${dns.zone}`,
    needs: ["network/vpc", API_LB_STEP],
    inputs: () => ({ zone: dns.zone, apiName: dns.apiName, publicZoneId: dns.publicZoneId ?? null }),

    async plan(ctx) {
      const create: Change[] = [
        { action: "create", target: `private hosted zone ${dns.zone}` },
        { action: "create", target: `record ${fqdn}`, detail: "→ API load balancer" },
      ];
      if (dns.publicZoneId) create.push({ action: "create", target: `record ${fqdn} in public zone ${dns.publicZoneId}`, detail: "→ API load balancer" });
      if (!ctx.aws.live) return create;
      const zone = await findPrivateZone(ctx.aws, ctx.cluster, dns.zone, maybeString(ctx, "network/vpc", "vpcId"));
      if (!zone) return create;
      const record = apiRecord(ctx, dns);
      if (!record) return [];
      const changes: Change[] = [];
      const zones: [string, string][] = [[bareZoneId(zone.Id!), ""], ...(dns.publicZoneId ? [[dns.publicZoneId, ` in public zone ${dns.publicZoneId}`] as [string, string]] : [])];
      for (const [zoneId, where] of zones) {
        for (const stale of await staleRecords(ctx.aws, zoneId, [record])) {
          changes.push({ action: stale.exists ? "update" : "create", target: `record ${fqdn}${where}`, detail: "→ API load balancer" });
        }
      }
      return changes;
    },

    async apply(ctx) {
      const { client: route53, sdk } = await route53Api(ctx.aws);
      const vpcId = needString(ctx, "network/vpc", "vpcId");
      let zone = await findPrivateZone(ctx.aws, ctx.cluster, dns.zone, vpcId);
      if (!zone) {
        ctx.log.info(`creating private hosted zone ${dns.zone}`);
        try {
          const created = await awsCall("CreateHostedZone", dns.zone, () =>
            route53.send(
              new sdk.CreateHostedZoneCommand({
                Name: dns.zone,
                CallerReference: callerReference(ctx.cluster, vpcId),
                VPC: { VPCId: vpcId, VPCRegion: ctx.aws.region as never },
                HostedZoneConfig: { PrivateZone: true, Comment: `kx cluster ${ctx.cluster}` },
              }),
            ),
          );
          zone = created.HostedZone;
        } catch (e) {
          if (errorCode(e) !== "HostedZoneAlreadyExists") throw e;
          zone = await findPrivateZone(ctx.aws, ctx.cluster, dns.zone, vpcId);
        }
        if (!zone?.Id) throw new KxError(`creating the private hosted zone ${dns.zone} returned no zone`);
      }
      await ensureTagged(ctx.aws, ctx.cluster, zone, dns.zone);
      const zoneId = bareZoneId(zone.Id!);
      const record = apiRecord(ctx, dns);
      if (!record) throw new KxError(`${DNS_STEP} needs the API load balancer's DNS name (${API_LB_STEP})`);
      await upsertRecords(ctx.aws, zoneId, [record], `kx ${ctx.cluster}: API server`);
      if (dns.publicZoneId) await upsertRecords(ctx.aws, dns.publicZoneId, [record], `kx ${ctx.cluster}: API server`);
      return { hostedZoneId: zoneId, apiFqdn: fqdn };
    },
  };
}
