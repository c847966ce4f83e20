/**
 * Why an existing certificate must be issued again, or undefined when it can stay.
 * Detection: the certificate is parsed and compared with what is wanted now: its key
 * pair, its issuer (signature checked against the current CA), its SAN set (DNS names and
 * IPs compared as sets, so a member whose IP or DNS name changed gets a new one) and its
 * expiry (renewed within RENEW_BEFORE_DAYS, since kubeadm does not renew external etcd
 * certificates).
 */
import type { LeafOptions } from "../../pki/certificates.js";
import { inspectCertificate, isSignedBy, keyMatchesCertificate } from "../../pki/inspect.js";
import type { StoredPair } from "./secret-pairs.js";

export const RENEW_BEFORE_DAYS = 30;

export function leafReissueReason(stored: StoredPair, caPem: string, wanted: LeafOptions, now = new Date()): string | undefined {
  if (!stored.certPem || !stored.keyPem) return "missing";
  if (!keyMatchesCertificate(stored.certPem, stored.keyPem)) return "key does not match the certificate";
  if (!isSignedBy(stored.certPem, caPem)) return "not signed by the current CA";
  const facts = inspectCertificate(stored.certPem);
  const dnsDiff = setDifference(facts.dnsNames, wanted.dnsNames ?? []);
  const ipDiff = setDifference(facts.ipAddresses.map(normaliseIp), (wanted.ipAddresses ?? []).map(normaliseIp));
  if (dnsDiff || ipDiff) return `subject alternative names changed (${[dnsDiff, ipDiff].filter(Boolean).join("; ")})`;
  if (facts.notAfter.getTime() - now.getTime() < RENEW_BEFORE_DAYS * 86_400_000) {
    return `expires ${facts.notAfter.toISOString()} (renewed ${RENEW_BEFORE_DAYS} days ahead)`;
  }
  return undefined;
}

export function caProblem(stored: StoredPair): "missing" | "ok" | "key-missing" | "mismatch" {
  if (!stored.certPem) return "missing";
  if (!stored.keyPem) return "key-missing";
  return keyMatchesCertificate(stored.certPem, stored.keyPem) ? "ok" : "mismatch";
}

function setDifference(have: string[], want: string[]): string | undefined {
  const h = new Set(have);
  const w = new Set(want);
  const added = [...w].filter((x) => !h.has(x));
  const removed = [...h].filter((x) => !w.has(x));
  if (added.length === 0 && removed.length === 0) return undefined;
  return [added.length ? `+${added.join(",")}` : "", removed.length ? `-${removed.join(",")}` : ""].filter(Boolean).join(" ");
}

/** Node prints IPv6 SANs expanded ("0:0:0:0:0:0:0:1"); compare canonical forms. */
function normaliseIp(ip: string): string {
  if (!ip.includes(":")) return ip;
  const [head = "", tail = ""] = ip.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = ip.includes("::") ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t] : h;
  return groups.map((g) => parseInt(g, 16).toString(16)).join(":");
}
