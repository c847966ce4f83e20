/**
 * The inventory of a `hosts:` cluster: the machines the config lists, in config order.
 * Users and key files default to the ssh section; a host's key is the one the config
 * pins, else the one pinned on first contact (HostKeyStore), else none yet (the SSH pool
 * pins it on first contact). A host with the bastion role is the jump host of all others.
 */
import type { ClusterConfig, HostConfig } from "../config/schema.js";
import type { HostKeyStore, SshTarget } from "../ssh/types.js";
import type { Inventory, NodeHost } from "./inventory.js";

type NodeRole = NodeHost["role"];

export function hostsInventory(config: ClusterConfig, hostKeys: HostKeyStore): Inventory {
  const hosts: HostConfig[] = config.hosts ?? [];

  const target = (host: HostConfig, via?: SshTarget): SshTarget => {
    const hostKey = host.hostKey ?? hostKeys.get(host.name);
    return {
      name: host.name,
      address: host.address,
      port: host.port,
      user: host.user ?? config.ssh.user,
      privateKeyFile: host.keyFile ?? config.ssh.privateKeyFile,
      ...(hostKey ? { hostKey } : {}),
      ...(via ? { via } : {}),
    };
  };

  const bastionHost = hosts.find((h) => h.roles.includes("bastion"));

  // Built on each call: a key pinned earlier in the run is then part of the target.
  const node = (host: HostConfig, role: NodeRole): NodeHost => {
    const via = bastionHost && host !== bastionHost ? target(bastionHost) : undefined;
    return { name: host.name, role, privateIp: host.privateAddress ?? host.address, nodeName: host.name, ssh: target(host, via) };
  };

  return {
    async hosts(role) {
      return hosts.filter((h) => h.roles.includes(role)).map((h) => node(h, role));
    },
    async bastion() {
      return bastionHost ? node(bastionHost, "bastion") : undefined;
    },
  };
}
