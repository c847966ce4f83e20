/**
 * Where each etcd and control-plane instance goes: names, zones and step ids, in one
 * place so the machines steps, the DNS records and the inventory agree.
 *
 * Instances are spread over the zones round-robin and named by their index letter
 * (etcd-a, etcd-b, ...): with three zones eu-west-1a/b/c that is the zone letter, and with
 * five members etcd-d and etcd-e land in the first two zones. The first instance of a
 * role in a zone has the step id `machines/<role>:<zone>` (the contract's id); a second
 * one in the same zone gets `machines/<role>:<zone>-2`.
 */
import type { ClusterConfig } from "../../config/schema.js";

export type MachineRole = "etcd" | "control-plane";

export interface Placement {
  role: MachineRole;
  /** "etcd-a", "master-b": the instance's Name tag and the inventory name. */
  name: string;
  zone: string;
  /** Position of the zone in the config's zone list (0, 1, 2). */
  zoneIndex: number;
  stepId: string;
}

const NAME_PREFIX: Record<MachineRole, string> = { etcd: "etcd", "control-plane": "master" };

/** The cluster's zones (configured, or derived from the region by the config loader). */
export function clusterZones(config: ClusterConfig): string[] {
  if (config.zones.length === 0) throw new Error("an AWS cluster needs zones; the config names neither zones nor a region");
  return config.zones;
}

export function placements(config: ClusterConfig, role: MachineRole): Placement[] {
  const zones = clusterZones(config);
  const count = role === "etcd" ? config.etcd.count : config.controlPlane.count;
  const perZone = new Map<string, number>();
  const result: Placement[] = [];
  for (let i = 0; i < count; i++) {
    const zoneIndex = i % zones.length;
    const zone = zones[zoneIndex]!;
    const nth = (perZone.get(zone) ?? 0) + 1;
    perZone.set(zone, nth);
    const suffix = nth === 1 ? zone : `${zone}-${nth}`;
    result.push({
      role,
      name: `${NAME_PREFIX[role]}-${String.fromCharCode(97 + i)}`,
      zone,
      zoneIndex,
      stepId: `machines/${role}:${suffix}`,
    });
  }
  return result;
}

/** Whether the cluster has a bastion (the loader defaults it on for AWS clusters). */
export function bastionEnabled(config: ClusterConfig): boolean {
  return config.ssh.bastion.enabled;
}
