/**
 * Reading certificates back (node's X509Certificate): what a step needs to decide whether
 * an existing certificate can be kept.
 */
import { X509Certificate, createHash, createPrivateKey, createPublicKey } from "node:crypto";
import type { Secret } from "../engine/secret.js";

export interface CertificateFacts {
  subject: string;
  notAfter: Date;
  dnsNames: string[];
  ipAddresses: string[];
  isCa: boolean;
}

export function inspectCertificate(pem: string): CertificateFacts {
  const cert = new X509Certificate(pem);
  const { dnsNames, ipAddresses } = parseSubjectAltName(cert.subjectAltName);
  return { subject: cert.subject, notAfter: new Date(cert.validTo), dnsNames, ipAddresses, isCa: cert.ca };
}

/** Node prints SANs as `DNS:a, IP Address:10.0.0.1` (values with odd characters quoted). */
function parseSubjectAltName(text: string | undefined): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const raw of (text ?? "").split(/,\s*/)) {
    const m = /^(DNS|IP Address):"?([^"]*)"?$/.exec(raw.trim());
    if (!m) continue;
    (m[1] === "DNS" ? dnsNames : ipAddresses).push(m[2]!);
  }
  return { dnsNames, ipAddresses };
}

/** True when `certPem` was signed by the CA certificate `caPem`. */
export function isSignedBy(certPem: string, caPem: string): boolean {
  const cert = new X509Certificate(certPem);
  const ca = new X509Certificate(caPem);
  return cert.checkIssued(ca) && cert.verify(ca.publicKey);
}

/** True when the private key is the certificate's (same public key). */
export function keyMatchesCertificate(certPem: string, keyPem: Secret | string): boolean {
  const cert = new X509Certificate(certPem);
  const key = createPrivateKey(typeof keyPem === "string" ? keyPem : keyPem.reveal());
  return spkiDer(createPublicKey(key)).equals(spkiDer(cert.publicKey));
}

/** True when the private key belongs to the PEM public key (sa.key / sa.pub). */
export function keyMatchesPublicKey(publicKeyPem: string, keyPem: Secret | string): boolean {
  const key = createPrivateKey(typeof keyPem === "string" ? keyPem : keyPem.reveal());
  return spkiDer(createPublicKey(key)).equals(spkiDer(createPublicKey(publicKeyPem)));
}

/**
 * The CA certificate hash kubeadm pins on join (`--discovery-token-ca-cert-hash`):
 * "sha256:" + hex SHA-256 of the CA's DER SubjectPublicKeyInfo.
 */
export function caCertHash(caPem: string): string {
  const spki = spkiDer(new X509Certificate(caPem).publicKey);
  return `sha256:${createHash("sha256").update(spki).digest("hex")}`;
}

function spkiDer(key: ReturnType<typeof createPublicKey>): Buffer {
  return key.export({ type: "spki", format: "der" });
}
