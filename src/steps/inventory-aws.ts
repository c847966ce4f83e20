/**
 * The inventory of an AWS cluster, read from the machines steps' outputs: names, private
 * addresses, EC2 private DNS names as node names, and the host keys read from each
 * instance's console, pinned so the first SSH connection is already verified. SSH goes
 * through the bastion when the cluster has one.
 *
 * Workers are autoscaled and join from their user data, so creating a cluster never SSHes
 * to them: the worker list is empty unless `opts.aws` is given, in which case it is the
 * autoscaling group's running instances (read from AWS on each call).
 */
import type { ClusterConfig } from "../config/schema.js";
import { KxError } from "../engine/errors.js";
import type { Outputs } from "../engine/types.js";
import type { AwsClients } from "../aws/clients.js";
import type { SshTarget } from "../ssh/types.js";
import type { Inventory, NodeHost } from "./inventory.js";
import { preferredHostKey } from "./machines/console-host-keys.js";
import { bastionEnabled, placements, type MachineRole } from "./machines/placement.js";

export const BASTION_STEP = "edge/bastion";
const SSH_PORT = 22;

export interface AwsInventoryOptions {
  /** Live clients: lets hosts("worker") list the autoscaling group's instances (upgrades need them). */
  aws?: AwsClients;
  signal?: AbortSignal;
  /**
   * A dry run plans host steps before the machines exist: leave out the machines that
   * have no outputs yet (the host steps then plan from nothing) instead of failing.
   */
  partial?: boolean;
}

export function awsInventory(outputs: (id: string) => Outputs | undefined, config: ClusterConfig, opts: AwsInventoryOptions = {}): Inventory {
  const sshTarget = (name: string, address: string, hostKeys: unknown, via?: SshTarget): SshTarget => {
    const key = Array.isArray(hostKeys) ? preferredHostKey(hostKeys.filter((k): k is string => typeof k === "string")) : undefined;
    return {
      name,
      address,
      port: SSH_PORT,
      user: config.ssh.user,
      privateKeyFile: config.ssh.privateKeyFile,
      ...(key ? { hostKey: key } : {}),
      ...(via ? { via } : {}),
    };
  };

  const required = (stepId: string, keys: string[]): Outputs => {
    const out = outputs(stepId);
    const missing = keys.filter((k) => typeof out?.[k] !== "string" || out[k] === "");
    if (!out || missing.length > 0) {
      throw new KxError(`the inventory needs ${stepId}, which has not finished (missing ${missing.join(", ") || "outputs"})`, {
        hint: "Run `kx create cluster` (it creates the machines first) before the steps that log in to them.",
      });
    }
    return out;
  };

  const exists = (stepId: string, keys: string[]) => keys.every((k) => typeof outputs(stepId)?.[k] === "string" && outputs(stepId)?.[k] !== "");

  const bastion = (): NodeHost | undefined => {
    if (!bastionEnabled(config)) return undefined;
    if (opts.partial && !exists(BASTION_STEP, ["instanceId", "publicIp", "privateIp"])) return undefined;
    const out = required(BASTION_STEP, ["instanceId", "publicIp", "privateIp"]);
    const name = "bastion";
    return {
      name,
      role: "bastion",
      privateIp: out.privateIp as string,
      nodeName: name,
      instanceId: out.instanceId as string,
      ssh: sshTarget(name, out.publicIp as string, out.hostKeys),
    };
  };

  const machines = (role: MachineRole): NodeHost[] => {
    const via = bastion()?.ssh;
    const available = placements(config, role).filter((p) => !opts.partial || exists(p.stepId, ["instanceId", "privateIp", "privateDns"]));
    return available.map((placement) => {
      const out = required(placement.stepId, ["instanceId", "privateIp", "privateDns"]);
      return {
        name: placement.name,
        role,
        privateIp: out.privateIp as string,
        nodeName: out.privateDns as string,
        zone: placement.zone,
        instanceId: out.instanceId as string,
        ssh: sshTarget(placement.name, out.privateIp as string, out.hostKeys, via),
      };
    });
  };

  return {
    async hosts(role) {
      if (role === "worker") {
        if (!opts.aws?.live) return [];
        const { autoscaledWorkers } = await import("./machines/asg-workers.js");
        return autoscaledWorkers(opts.aws, opts.signal ?? new AbortController().signal, config, bastion()?.ssh);
      }
      return machines(role);
    },
    async bastion() {
      return bastion();
    },
  };
}
