/**
 * The cluster-wide kubeadm settings, from the config and the outputs of earlier steps.
 *
 * controlPlaneEndpoint: on AWS the API load balancer's DNS name (edge/api-lb dnsName), so
 * masters can be replaced behind it. A `hosts:` cluster has no load balancer: the
 * endpoint is the first master's private address, and it stays the endpoint for the
 * cluster's life (kubeadm bakes it into every kubeconfig and the apiserver certificate).
 * Put a load balancer or a DNS name in front of the masters and list it in
 * kubernetes.certSANs if that master may ever be replaced.
 */
import { isHostsCluster } from "../../config/schema.js";
import { KxError } from "../../engine/errors.js";
import type { KxContext } from "../context.js";
import type { NodeHost } from "../inventory.js";
import { placements, type Placement } from "../machines/placement.js";
import { API_PORT, type ClusterSettings } from "./kubeadm-config.js";

export const API_LB_STEP = "edge/api-lb";
export const ETCD_CLUSTER_STEP = "etcd/cluster";

export async function controlPlaneHosts(ctx: KxContext): Promise<NodeHost[]> {
  const masters = await ctx.inventory.hosts("control-plane");
  if (masters.length === 0) throw new KxError("no control-plane host in the inventory", { source: "user" });
  return masters;
}

/**
 * AWS: the config's masters whose instances do not exist yet. A dry run's inventory
 * leaves them out, so the host steps name them from here to plan their join.
 * `joining`: leave out the first master, which is initialised rather than joined.
 */
export async function mastersNotLaunched(ctx: KxContext, options: { joining?: boolean } = {}): Promise<Placement[]> {
  if (isHostsCluster(ctx.config)) return [];
  try {
    const launched = new Set((await ctx.inventory.hosts("control-plane")).map((h) => h.name));
    return placements(ctx.config, "control-plane")
      .slice(options.joining ? 1 : 0)
      .filter((p) => !launched.has(p.name));
  } catch {
    return [];
  }
}

export async function controlPlaneEndpointHost(ctx: KxContext): Promise<string> {
  if (isHostsCluster(ctx.config)) return (await controlPlaneHosts(ctx))[0]!.privateIp;
  const dnsName = ctx.outputs(API_LB_STEP)?.dnsName;
  if (typeof dnsName !== "string") throw new KxError(`the API load balancer's DNS name is unknown: ${API_LB_STEP} has not run`);
  return dnsName;
}

async function etcdEndpoints(ctx: KxContext): Promise<string[]> {
  const fromStep = ctx.outputs(ETCD_CLUSTER_STEP)?.endpoints;
  if (Array.isArray(fromStep) && fromStep.length > 0) return fromStep.map(String);
  const members = await ctx.inventory.hosts("etcd");
  return members.map((m) => `https://${m.privateIp}:2379`);
}

export async function clusterSettings(ctx: KxContext): Promise<ClusterSettings> {
  const { config } = ctx;
  const endpointHost = await controlPlaneEndpointHost(ctx);
  const sans = [endpointHost, ...config.kubernetes.certSANs];
  if (config.dns) sans.push(`${config.dns.apiName}.${config.dns.zone}`);
  return {
    clusterName: config.name,
    kubernetesVersion: config.kubernetes.version,
    controlPlaneEndpoint: `${endpointHost}:${API_PORT}`,
    certSANs: sans,
    podSubnet: config.network.podCidr,
    serviceSubnet: config.network.serviceCidr,
    etcdEndpoints: await etcdEndpoints(ctx),
    kubeProxyDisabled: config.addons.cilium.enabled,
    externalCloudProvider: !isHostsCluster(config) && config.addons.cloudController.enabled,
  };
}
