/**
 * A records etcd-a.<zone>, etcd-b.<zone>, ... → the members' private IPs, in the private
 * zone (edge/etcd-records). A step of its own because it waits for the instances, while
 * the zone and the API record do not.
 */
import type { Change, Step } from "../../engine/types.js";
import type { ClusterConfig } from "../../config/schema.js";
import type { KxContext } from "../context.js";
import { maybeString, needString } from "../machines/needs.js";
import { placements } from "../machines/placement.js";
import { bareZoneId, DNS_STEP, findPrivateZone } from "./dns.js";
import { missingRecords, staleRecords, upsertRecords, type WantedRecord } from "./route53-records.js";

export const ETCD_RECORDS_STEP = "edge/etcd-records";

export function etcdRecordsStep(config: ClusterConfig, zoneName: string): Step<KxContext> {
  const members = placements(config, "etcd");
  const wanted = (ctx: KxContext): WantedRecord[] | undefined => {
    const ips = members.map((m) => maybeString(ctx, m.stepId, "privateIp"));
    if (ips.some((ip) => !ip)) return undefined;
    return members.map((m, i) => ({ name: `${m.name}.${zoneName}`, type: "A" as const, values: [ips[i]!], ttl: 300 }));
  };
  const changesFor = (names: string[], action: "create" | "update"): Change[] => names.map((name) => ({ action, target: `record ${name}` }));

  return {
    id: ETCD_RECORDS_STEP,
    title: "DNS records of the etcd members",
    needs: [DNS_STEP, ...members.map((m) => m.stepId)],

    async plan(ctx) {
      const allNames = members.map((m) => `${m.name}.${zoneName}`);
      if (!ctx.aws.live) return changesFor(allNames, "create");
      const zoneId =
        maybeString(ctx, DNS_STEP, "hostedZoneId") ??
        (await findPrivateZone(ctx.aws, ctx.cluster, zoneName, maybeString(ctx, "network/vpc", "vpcId")).then((z) => z && bareZoneId(z.Id!)));
      if (!zoneId) return changesFor(allNames, "create");
      const records = wanted(ctx);
      if (records) {
        return (await staleRecords(ctx.aws, zoneId, records)).map((r) => ({ action: r.exists ? ("update" as const) : ("create" as const), target: `record ${r.name}` }));
      }
      // The members' addresses are not known yet (state lost, planning ahead): records that
      // exist are taken as current; apply compares them with the addresses once it has them.
      const missing = await missingRecords(ctx.aws, zoneId, allNames);
      return changesFor(missing, "create");
    },

    async apply(ctx) {
      const zoneId = needString(ctx, DNS_STEP, "hostedZoneId");
      const records = members.map((m) => ({ name: `${m.name}.${zoneName}`, type: "A" as const, values: [needString(ctx, m.stepId, "privateIp")], ttl: 300 }));
      await upsertRecords(ctx.aws, zoneId, records, `kx ${ctx.cluster}: etcd members`);
      return { records: records.map((r) => r.name) };
    },
  };
}
