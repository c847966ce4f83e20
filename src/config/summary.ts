/** The short table of a config the operator confirms before the plan. */
import type { ClusterConfig } from "./schema.js";

export function renderSummary(config: ClusterConfig): string {
  const rows: [string, string][] = [
    ["Cluster", `${config.name}, Kubernetes ${config.kubernetes.version}`],
    ...(config.hosts ? hostRows(config) : awsRows(config)),
    ["Network", `pods ${config.network.podCidr}, services ${config.network.serviceCidr}`],
    ["Add-ons", addons(config)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n") + "\n";
}

function awsRows(c: ClusterConfig): [string, string][] {
  const workers = c.workers;
  return [
    ["Region", `${c.region} (${c.zones.join(", ")})`],
    ["VPC", `${c.network.vpcCidr}; public ${c.network.publicSubnets.join(", ")}; private ${c.network.privateSubnets.join(", ")}`],
    ["etcd", `${c.etcd.count} × ${c.etcd.instanceType}`],
    ["Control plane", `${c.controlPlane.count} × ${c.controlPlane.instanceType}`],
    ["Workers", `${workers.desired} × ${workers.instanceType} (min ${workers.min}, max ${workers.max})`],
    ["Images", c.images.build ? "built with Packer" : `node ${c.images.node}, etcd ${c.images.etcd}`],
    ["SSH", `${c.ssh.user}, key ${c.ssh.privateKeyFile}; ${c.ssh.bastion.enabled ? `bastion open to ${c.ssh.bastion.allowedCidrs.join(", ")}` : "no bastion"}`],
    ["API", c.dns ? `${c.dns.apiName}.${c.dns.zone}` : "(no DNS zone)"],
    ["ECR", c.ecr.repositories.length > 0 ? c.ecr.repositories.join(", ") : "none"],
    ["RDS", c.rds.enabled ? `PostgreSQL ${c.rds.engineVersion}, ${c.rds.instanceClass}, ${c.rds.allocatedStorageGiB} GiB${c.rds.multiAz ? ", multi-AZ" : ""}` : "none"],
  ];
}

function hostRows(c: ClusterConfig): [string, string][] {
  return (c.hosts ?? []).map((h, i) => [i === 0 ? "Hosts" : "", `${h.name} ${h.address} (${h.roles.join(", ")})`]);
}

function addons(c: ClusterConfig): string {
  const a = c.addons;
  const istioTools = Object.entries(a.istio.observability)
    .filter(([, on]) => on)
    .map(([tool]) => tool);
  const list = [
    a.cloudController.enabled && `cloud-controller ${a.cloudController.version}`,
    a.cilium.enabled && `cilium ${a.cilium.version}`,
    a.ebsCsi.enabled && `ebs-csi ${a.ebsCsi.version}`,
    a.istio.enabled && `istio ${a.istio.version} (${[a.istio.mode, ...istioTools].join(", ")})`,
    a.efk.enabled && `efk ${a.efk.version}`,
    a.metricbeat.enabled && `metricbeat ${a.metricbeat.version}`,
  ].filter((x): x is string => Boolean(x));
  return list.length > 0 ? list.join(", ") : "none";
}
