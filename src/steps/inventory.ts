/**
 * Which machines play which role. On AWS the machines steps' outputs say it (instance
 * id, private IP and DNS name, zone) and the host-key steps pin each one's SSH key from
 * its console output; for a `hosts:` cluster the config says it and keys are pinned on
 * first contact. Host steps only ever ask the inventory.
 */
import type { HostRole } from "../config/schema.js";
import type { SshTarget } from "../ssh/types.js";

export interface NodeHost {
  /** Stable name: "etcd-a", "master-b", or the name in the hosts: section. */
  name: string;
  role: HostRole;
  /** Address the cluster uses between nodes (etcd peer URLs, kubeadm advertise address). */
  privateIp: string;
  /** Kubernetes node name: the EC2 private DNS name, or the host's name. */
  nodeName: string;
  zone?: string;
  instanceId?: string;
  /** How kx reaches it over SSH (through the bastion when `via` is set). */
  ssh: SshTarget;
}

export interface Inventory {
  /** Hosts of a role in a stable order (zone order on AWS, config order otherwise). */
  hosts(role: Exclude<HostRole, "bastion">): Promise<NodeHost[]>;
  bastion(): Promise<NodeHost | undefined>;
}
