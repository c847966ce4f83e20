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

/** The cluster's zones: the configured (or derived) list, else the region's a/b/c. */
export function clusterZones(config: ClusterConfig): string[] {
  const zones = (config as { zones?: string[] }).zones;
  if (zones && zones.length > 0) return zones;
  if (!config.region) throw new Error("the config names neither zones nor a region");
  return ["a", "b", "c"].map((letter) => `${config.region}${letter}`);
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

/** Whether the config asks for a bastion (on by default for an AWS cluster). */
export function bastionEnabled(config: ClusterConfig): boolean {
  const enabled = (config.ssh.bastion as { enabled?: boolean }).enabled;
  return enabled ?? !config.hosts;
}
