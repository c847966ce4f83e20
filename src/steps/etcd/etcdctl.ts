/** etcdctl command lines run on a member, with the certificates kx placed there. */
import { shellQuote } from "../../ssh/shell.js";
import { PKI_DIR } from "./members.js";

export type EtcdctlIdentity = "healthcheck-client" | "server";

export function etcdctl(binDir: string, endpoints: string[], identity: EtcdctlIdentity, args: string): string {
  return [
    "ETCDCTL_API=3",
    `${binDir}/etcdctl`,
    `--endpoints=${shellQuote(endpoints.join(","))}`,
    `--cacert=${PKI_DIR}/ca.crt`,
    `--cert=${PKI_DIR}/${identity}.crt`,
    `--key=${PKI_DIR}/${identity}.key`,
    "--dial-timeout=2s",
    "--command-timeout=3s",
    args,
  ].join(" ");
}

export interface EndpointHealth {
  endpoint: string;
  health: boolean;
  error?: string;
}

/** `endpoint health -w json` prints one JSON array (3.4 and 3.6); unhealthy ones carry "error". */
export function parseHealth(stdout: string): EndpointHealth[] {
  const start = stdout.indexOf("[");
  if (start < 0) return [];
  try {
    return JSON.parse(stdout.slice(start, stdout.lastIndexOf("]") + 1)) as EndpointHealth[];
  } catch {
    return [];
  }
}

export interface MemberListEntry {
  /** Decimal uint64, kept as text (it does not fit a JS number). */
  ID: string;
  /** Empty while the member was added but has not started yet. */
  name?: string;
  peerURLs?: string[];
  clientURLs?: string[];
}

export function parseMemberList(stdout: string): MemberListEntry[] {
  try {
    const quoted = stdout.replace(/"(ID|cluster_id|member_id)":\s*(\d+)/g, '"$1":"$2"');
    return (JSON.parse(quoted) as { members?: MemberListEntry[] }).members ?? [];
  } catch {
    return [];
  }
}

/** etcdctl takes member ids in hex. */
export function memberIdHex(id: string): string {
  return BigInt(id).toString(16);
}
