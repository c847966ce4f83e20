/**
 * Route53 records kx keeps: compared with what exists (so an unchanged record is no
 * call) and written with UPSERT (so a retried write is harmless).
 */
import type { ResourceRecordSet } from "@aws-sdk/client-route-53";
import type { AwsClients } from "../../aws/clients.js";
import { route53Api } from "../../aws/sdk.js";
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

async function current(aws: AwsClients, zoneId: string, want: ResourceRecordSet): Promise<ResourceRecordSet | undefined> {
  const { client: route53, sdk } = await route53Api(aws);
  const result = await awsCall("ListResourceRecordSets", want.Name, () =>
    route53.send(new sdk.ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: want.Name, StartRecordType: want.Type, MaxItems: 1 })),
  );
  const first = result.ResourceRecordSets?.[0];
  return first && absolute(first.Name ?? "") === want.Name && first.Type === want.Type ? first : undefined;
}

/** The records that differ from what the zone holds, each with whether it exists at all. */
export async function staleRecords(aws: AwsClients, zoneId: string, records: readonly WantedRecord[]): Promise<(WantedRecord & { exists: boolean })[]> {
  const stale: (WantedRecord & { exists: boolean })[] = [];
  for (const record of records) {
    const want = toRecordSet(record);
    const have = await current(aws, zoneId, want);
    if (!matches(have, want)) stale.push({ ...record, exists: have !== undefined });
  }
  return stale;
}

/** The names (A records) the zone does not hold at all. */
export async function missingRecords(aws: AwsClients, zoneId: string, names: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const name of names) {
    if (!(await current(aws, zoneId, { Name: absolute(name), Type: "A" }))) missing.push(name);
  }
  return missing;
}

/** UPSERTs the records that differ; returns how many it wrote. */
export async function upsertRecords(aws: AwsClients, zoneId: string, records: readonly WantedRecord[], comment: string): Promise<number> {
  const stale = await staleRecords(aws, zoneId, records);
  if (stale.length === 0) return 0;
  const { client: route53, sdk } = await route53Api(aws);
  await awsCall("ChangeResourceRecordSets", zoneId, () =>
    route53.send(
      new sdk.ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: { Comment: comment, Changes: stale.map((r) => ({ Action: "UPSERT" as const, ResourceRecordSet: toRecordSet(r) })) },
      }),
    ),
  );
  return stale.length;
}
