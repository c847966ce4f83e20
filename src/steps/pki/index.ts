/**
 * The PKI steps: the etcd, Kubernetes and front-proxy CAs, the etcd member and client
 * certificates and the service-account key pair, all kept in ctx.secrets and made up
 * front so every node gets the same ones. Outputs are certificate names and expiry
 * dates only.
 */
import { isHostsCluster, type ClusterConfig } from "../../config/schema.js";
import type { Outputs, Step } from "../../engine/types.js";
import { DEFAULT_KEY_ALGORITHM, type KeyAlgorithm } from "../../pki/keys.js";
import {
  APISERVER_ETCD_CLIENT,
  ETCD_CA,
  ETCD_HEALTHCHECK_CLIENT,
  FRONT_PROXY_CA,
  KUBERNETES_CA,
  etcdPeerProfile,
  etcdServerProfile,
  type EtcdMember,
} from "../../pki/profiles.js";
import type { KxContext } from "../context.js";
import { placements } from "../machines/placement.js";
import { caStep } from "./ca-step.js";
import { readCertificatesOutput, type CertificateExpiries } from "./expiries.js";
import { leafCertificatesStep } from "./leaf-certificates-step.js";
import { serviceAccountStep } from "./service-account-step.js";

export const PKI_STEP = {
  etcdCa: "pki/etcd-ca",
  etcdMembers: "pki/etcd-members",
  etcdClients: "pki/etcd-clients",
  kubernetesCa: "pki/kubernetes-ca",
  frontProxyCa: "pki/front-proxy-ca",
  serviceAccount: "pki/service-account",
} as const;

export interface PkiOptions {
  /** Key algorithm of the CAs and certificates kx makes (kubeadm accepts both). */
  algorithm?: KeyAlgorithm;
}

export function pkiSteps(config: ClusterConfig, options: PkiOptions = {}): Step<KxContext>[] {
  const algorithm = options.algorithm ?? DEFAULT_KEY_ALGORITHM;
  return [
    caStep(PKI_STEP.etcdCa, "etcd CA", ETCD_CA, algorithm),
    leafCertificatesStep({
      id: PKI_STEP.etcdMembers,
      title: "etcd member certificates (server + peer)",
      needs: [PKI_STEP.etcdCa, ...etcdMachineSteps(config)],
      ca: ETCD_CA,
      summary: "server and peer certificates of every etcd member",
      inputs: (ctx) => etcdHostsInConfig(ctx.config),
      async profiles(ctx) {
        const members = await etcdMembers(ctx);
        return members.flatMap((m) => [etcdServerProfile(m), etcdPeerProfile(m)]);
      },
    }),
    leafCertificatesStep({
      id: PKI_STEP.etcdClients,
      title: "etcd client certificates",
      needs: [PKI_STEP.etcdCa],
      ca: ETCD_CA,
      summary: "apiserver-etcd-client and healthcheck-client certificates",
      profiles: async () => [APISERVER_ETCD_CLIENT, ETCD_HEALTHCHECK_CLIENT],
    }),
    caStep(PKI_STEP.kubernetesCa, "Kubernetes CA", KUBERNETES_CA, algorithm),
    caStep(PKI_STEP.frontProxyCa, "front-proxy CA", FRONT_PROXY_CA, algorithm),
    serviceAccountStep(PKI_STEP.serviceAccount),
  ];
}

/** The etcd members as the inventory knows them now (IP and DNS name go into the SANs). */
export async function etcdMembers(ctx: KxContext): Promise<EtcdMember[]> {
  const hosts = await ctx.inventory.hosts("etcd");
  return hosts.map((h) => ({ name: h.name, privateIp: h.privateIp, privateDns: h.nodeName }));
}

/** On AWS the members' addresses come from the machines steps (see machines/placement.ts). */
function etcdMachineSteps(config: ClusterConfig): string[] {
  if (isHostsCluster(config)) return [];
  return placements(config, "etcd").map((p) => p.stepId);
}

/** For a `hosts:` cluster, a changed address in the config must re-plan the member certificates. */
function etcdHostsInConfig(config: ClusterConfig): unknown {
  return (config.hosts ?? [])
    .filter((h) => h.roles.includes("etcd"))
    .map((h) => ({ name: h.name, address: h.privateAddress ?? h.address }));
}

/**
 * Every certificate's expiry from the pki steps' outputs, for `kx status` and the
 * state's data.certificates.
 */
export function certificateExpiries(outputs: (stepId: string) => Outputs | undefined): CertificateExpiries {
  const all: CertificateExpiries = {};
  for (const id of Object.values(PKI_STEP)) Object.assign(all, readCertificatesOutput(outputs(id)));
  return all;
}
