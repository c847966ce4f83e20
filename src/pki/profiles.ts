/**
 * What kx's PKI holds, named as kubeadm names it (cmd/kubeadm/app/phases/certs/certlist.go)
 * and stored under the secret names of the steps contract. kubeadm itself then makes
 * the per-node certificates (apiserver, kubelet client, front-proxy client, ...) from
 * the CAs kx places on each control-plane node.
 */
import type { LeafOptions, Subject } from "./certificates.js";

export interface CaProfile {
  /** Secret name prefix: `${secret}.crt` / `${secret}.key`. */
  secret: string;
  subject: Subject;
}

export const ETCD_CA: CaProfile = { secret: "pki/etcd/ca", subject: { commonName: "etcd-ca" } };
export const KUBERNETES_CA: CaProfile = { secret: "pki/ca", subject: { commonName: "kubernetes" } };
export const FRONT_PROXY_CA: CaProfile = { secret: "pki/front-proxy-ca", subject: { commonName: "front-proxy-ca" } };

/** The service-account signing key pair: sa.key (RSA, as kubeadm makes it) and sa.pub. */
export const SERVICE_ACCOUNT = { key: "pki/sa.key", pub: "pki/sa.pub" } as const;

export interface LeafProfile {
  /** Secret name prefix: `${secret}.crt` / `${secret}.key`. */
  secret: string;
  options: LeafOptions;
}

/**
 * Current kubeadm gives the etcd client certificates no organization: etcd does not
 * use it, and system:masters on a certificate that never talks to the API server only
 * widens what a leaked key could do.
 */
export const APISERVER_ETCD_CLIENT: LeafProfile = {
  secret: "pki/etcd/apiserver-etcd-client",
  options: { subject: { commonName: "kube-apiserver-etcd-client" }, usages: ["clientAuth"] },
};

export const ETCD_HEALTHCHECK_CLIENT: LeafProfile = {
  secret: "pki/etcd/healthcheck-client",
  options: { subject: { commonName: "kube-etcd-healthcheck-client" }, usages: ["clientAuth"] },
};

export interface EtcdMember {
  /** Member name, "etcd-a". */
  name: string;
  privateIp: string;
  /** Private DNS name (the EC2 one, or the host's name). */
  privateDns: string;
}

/** Server certificate: clients reach a member by IP, DNS name or on localhost. */
export function etcdServerProfile(member: EtcdMember): LeafProfile {
  return {
    secret: `pki/etcd/${member.name}/server`,
    options: {
      subject: { commonName: member.name },
      usages: ["serverAuth", "clientAuth"],
      dnsNames: unique([member.privateDns, member.name, "localhost"]),
      ipAddresses: unique([member.privateIp, "127.0.0.1", "::1"]),
    },
  };
}

/** Peer certificate: members talk to each other on their private address. */
export function etcdPeerProfile(member: EtcdMember): LeafProfile {
  return {
    secret: `pki/etcd/${member.name}/peer`,
    options: {
      subject: { commonName: member.name },
      usages: ["serverAuth", "clientAuth"],
      dnsNames: unique([member.privateDns, member.name]),
      ipAddresses: [member.privateIp],
    },
  };
}

function unique(values: string[]): string[] {
  return [...new Set(values.filter((v) => v.length > 0))];
}
