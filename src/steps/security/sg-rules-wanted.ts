/**
 * What each security group lets in: least privilege, from the config alone. Sources
 * are other groups of the cluster wherever possible, so a rule follows the machines
 * and not their addresses.
 *
 * Egress stays AWS's default "all traffic to 0.0.0.0/0" (and is restored if removed):
 * nodes reach AWS APIs (EC2, ECR, SSM, STS, ELB) and image registries over HTTPS through
 * the NAT gateways at addresses nobody can list in advance, security groups are
 * stateful (replies need no egress rule), and what can come in is the boundary that
 * matters. A port-by-port egress list would break image pulls and the cloud controller
 * without stopping an attacker who already runs code on a node.
 */
import type { ClusterConfig } from "../../config/schema.js";
import type { SecurityGroupName } from "./ids.js";

export type Protocol = "tcp" | "udp" | "icmp" | "-1";

/** Where traffic may come from: a CIDR block or another group of the cluster. */
export type Peer = { cidr: string } | { group: SecurityGroupName };

export interface RuleSpec {
  protocol: Protocol;
  /** For ICMP: the type. -1 with protocol "-1". */
  fromPort: number;
  /** For ICMP: the code. */
  toPort: number;
  peer: Peer;
  description: string;
}

export interface GroupRules {
  ingress: RuleSpec[];
  egress: RuleSpec[];
}

const tcp = (port: number, peer: Peer, description: string, toPort = port): RuleSpec => ({ protocol: "tcp", fromPort: port, toPort, peer, description });
const udp = (port: number, peer: Peer, description: string): RuleSpec => ({ protocol: "udp", fromPort: port, toPort: port, peer, description });
const group = (name: SecurityGroupName): Peer => ({ group: name });

export const ALL_EGRESS: RuleSpec = { protocol: "-1", fromPort: -1, toPort: -1, peer: { cidr: "0.0.0.0/0" }, description: "all outbound" };

/**
 * Between nodes, for Cilium. With cluster-pool IPAM pods talk through the VXLAN overlay,
 * so the agent's ports suffice: health checks, VXLAN, Hubble, ICMP echo for health.
 * With ENI IPAM pods have VPC addresses on the nodes' interfaces and talk directly on
 * any port, so nodes admit all traffic from nodes (network policy is Cilium's job).
 */
function ciliumRules(config: ClusterConfig, from: SecurityGroupName[]): RuleSpec[] {
  if (config.addons.cilium.ipam === "eni") {
    return from.map((name) => ({ protocol: "-1" as const, fromPort: -1, toPort: -1, peer: group(name), description: `pod traffic (Cilium ENI) from ${name}` }));
  }
  return from.flatMap((name) => [
    tcp(4240, group(name), `cilium health from ${name}`),
    udp(8472, group(name), `cilium VXLAN from ${name}`),
    tcp(4244, group(name), `hubble from ${name}`),
    { protocol: "icmp" as const, fromPort: 8, toPort: 0, peer: group(name), description: `cilium ICMP echo from ${name}` },
  ]);
}

/**
 * Prometheus (kube-prometheus-stack, on the workers) scrapes host-network endpoints of
 * every node directly, not through the overlay: node-exporter, the Cilium agent and its
 * Envoy, Hubble's metrics. Opened only when Prometheus is installed.
 */
function metricsRules(config: ClusterConfig): RuleSpec[] {
  const istio = config.addons.istio;
  if (!istio.enabled || !istio.observability.prometheus) return [];
  return [
    tcp(9100, group("worker"), "node-exporter, scraped by Prometheus"),
    tcp(9962, group("worker"), "Cilium agent metrics, scraped by Prometheus"),
    tcp(9964, group("worker"), "Cilium Envoy metrics, scraped by Prometheus", 9965),
  ];
}

/** The groups kx makes: the bastion's only when a bastion is enabled. */
export function securityGroupNames(config: ClusterConfig): SecurityGroupName[] {
  const all: SecurityGroupName[] = ["bastion", "etcd", "control-plane", "worker", "api-lb", "ingress-lb"];
  return config.ssh.bastion.enabled ? all : all.filter((g) => g !== "bastion");
}

/** The groups a group's rules refer to (its step needs their ids). */
export function referencedGroups(rules: GroupRules): SecurityGroupName[] {
  const names = [...rules.ingress, ...rules.egress].flatMap((r) => ("group" in r.peer ? [r.peer.group] : []));
  return [...new Set(names)];
}

export function wantedRules(config: ClusterConfig, name: SecurityGroupName): GroupRules {
  const vpc: Peer = { cidr: config.network.vpcCidr };
  const bastion = config.ssh.bastion;
  // Without a bastion kx reaches the machines from inside the VPC (VPN, peering, a runner in the VPC).
  const ssh = (): RuleSpec[] =>
    bastion.enabled ? [tcp(22, group("bastion"), "ssh from the bastion")] : [tcp(22, vpc, "ssh from inside the VPC")];
  const ingress = ((): RuleSpec[] => {
    switch (name) {
      case "bastion":
        return bastion.allowedCidrs.map((cidr) => tcp(22, { cidr }, "ssh from an operator network"));
      case "etcd":
        return [
          ...ssh(),
          tcp(2379, group("control-plane"), "etcd clients: API servers"),
          tcp(2379, group("etcd"), "etcd clients: members (health, etcdctl)"),
          tcp(2380, group("etcd"), "etcd peers"),
        ];
      case "control-plane":
        return [
          ...ssh(),
          tcp(6443, group("api-lb"), "API server from its load balancer"),
          tcp(6443, vpc, "API server from inside the VPC (nodes, load balancer health checks)"),
          tcp(10250, group("control-plane"), "kubelet from the control plane"),
          tcp(10250, group("worker"), "kubelet from workers (metrics scrapers)"),
          ...ciliumRules(config, ["control-plane", "worker"]),
          ...metricsRules(config),
        ];
      case "worker":
        return [
          ...ssh(),
          tcp(10250, group("control-plane"), "kubelet from the control plane"),
          // Prometheus and Metricbeat run on workers and scrape every kubelet.
          tcp(10250, group("worker"), "kubelet from workers (metrics scrapers)"),
          ...ciliumRules(config, ["control-plane", "worker"]),
          ...metricsRules(config),
          tcp(30000, group("ingress-lb"), "NodePorts from the ingress load balancer", 32767),
        ];
      case "api-lb": {
        const publicApi = config.dns?.publicZoneId !== undefined;
        return [
          tcp(6443, vpc, "API from inside the VPC"),
          ...(publicApi && bastion.allowedCidrs.length > 0
            ? bastion.allowedCidrs.map((cidr) => tcp(6443, { cidr }, "API from an operator network"))
            : []),
        ];
      }
      case "ingress-lb":
        return [tcp(80, { cidr: "0.0.0.0/0" }, "HTTP from anywhere"), tcp(443, { cidr: "0.0.0.0/0" }, "HTTPS from anywhere")];
    }
  })();
  return { ingress, egress: [ALL_EGRESS] };
}
