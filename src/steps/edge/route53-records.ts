/**
 * Route53 records kx keeps: compared with what exists (so an unchanged record is no
 * call) and written with UPSERT (so a retried write is harmless).
 */
import { ChangeResourceRecordSetsCommand, ListResourceRecordSetsCommand, type ResourceRecordSet, type Route53Client } from "@aws-sdk/client-route-53";
import { awsCall } from "../../aws/errors.js";

export interface WantedRecord {
  name: string;
  type: "A" | "CNAME";
  /** An alias to a load balancer... */
  alias?: { hostedZoneId: string; dnsName: string };
  /** ...or plain values with a TTL. */
  values?: string[];
  ttl?: number;
}

/** "api.lab.example.com." with the trailing dot Route53 answers with. */
function absolute(name: string): string {
  return name.endsWith(".") ? name.toLowerCase() : `${name.toLowerCase()}.`;
}

function toRecordSet(record: WantedRecord): ResourceRecordSet {
  if (record.alias) {
    return {
      Name: absolute(record.name),
      Type: record.type,
      AliasTarget: { HostedZoneId: record.alias.hostedZoneId, DNSName: absolute(record.alias.dnsName), EvaluateTargetHealth: false },
    };
  }
  return { Name: absolute(record.name), Type: record.type, TTL: record.ttl ?? 60, ResourceRecords: (record.values ?? []).map((Value) => ({ Value })) };
}

function matches(have: ResourceRecordSet | undefined, want: ResourceRecordSet): boolean {
  if (!have) return false;
  if (want.AliasTarget) {
    return !!have.AliasTarget && absolute(have.AliasTarget.DNSName ?? "") === want.AliasTarget.DNSName && have.AliasTarget.HostedZoneId === want.AliasTarget.HostedZoneId;
  }
  const values = (rs: ResourceRecordSet) => (rs.ResourceRecords ?? []).map((r) => r.Value).sort().join(",");
  return !have.AliasTarget && have.TTL === want.TTL && values(have) === values(want);
}

async function current(route53: Route53Client, zoneId: string, want: ResourceRecordSet): Promise<ResourceRecordSet | undefined> {
  const result = await awsCall("ListResourceRecordSets", want.Name, () =>
    route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: want.Name, StartRecordType: want.Type, MaxItems: 1 })),
  );
  const first = result.ResourceRecordSets?.[0];
  return first && absolute(first.Name ?? "") === want.Name && first.Type === want.Type ? first : undefined;
}

/** The records that differ from what the zone holds. */
export async function staleRecords(route53: Route53Client, zoneId: string, records: readonly WantedRecord[]): Promise<WantedRecord[]> {
  const stale: WantedRecord[] = [];
  for (const record of records) {
    const want = toRecordSet(record);
    if (!matches(await current(route53, zoneId, want), want)) stale.push(record);
  }
  return stale;
}

/** The names (A records) the zone does not hold at all. */
export async function missingRecords(route53: Route53Client, zoneId: string, names: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const name of names) {
    if (!(await current(route53, zoneId, { Name: absolute(name), Type: "A" }))) missing.push(name);
  }
  return missing;
}

/** UPSERTs the records that differ; returns how many it wrote. */
export async function upsertRecords(route53: Route53Client, zoneId: string, records: readonly WantedRecord[], comment: string): Promise<number> {
  const stale = await staleRecords(route53, zoneId, records);
  if (stale.length === 0) return 0;
  await awsCall("ChangeResourceRecordSets", zoneId, () =>
    route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: { Comment: comment, Changes: stale.map((r) => ({ Action: "UPSERT", ResourceRecordSet: toRecordSet(r) })) },
      }),
    ),
  );
  return stale.length;
}
