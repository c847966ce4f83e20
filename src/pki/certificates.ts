/**
 * CA and leaf certificates with @peculiar/x509 over node's WebCrypto, shaped as kubeadm
 * makes them (pkiutil.NewSelfSignedCACert / NewSignedCert): CAs valid 10 years with
 * digitalSignature+keyEncipherment+keyCertSign, leaves 1 year with digitalSignature
 * (+keyEncipherment for RSA) and the extended usages of their profile.
 */
import { randomBytes, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import type { Secret } from "../engine/secret.js";
import { DEFAULT_KEY_ALGORITHM, generateKeyPair, parsePrivateKey, signingAlgorithm, toCryptoKeys, type KeyAlgorithm } from "./keys.js";

x509.cryptoProvider.set(webcrypto);

export const CA_VALIDITY_DAYS = 3650;
export const LEAF_VALIDITY_DAYS = 365;
const DAY_MS = 86_400_000;
/** Backdated like kubeadm does, so a node whose clock is a little behind accepts it. */
const BACKDATE_MS = 5 * 60_000;

export type ExtKeyUsage = "serverAuth" | "clientAuth";
const EKU_OID: Record<ExtKeyUsage, string> = {
  serverAuth: x509.ExtendedKeyUsage.serverAuth,
  clientAuth: x509.ExtendedKeyUsage.clientAuth,
};

export interface Subject {
  commonName: string;
  organization?: string[];
}

/** A certificate with its private key; the key is a Secret. */
export interface CertAndKey {
  certPem: string;
  keyPem: Secret;
}

export interface CaOptions {
  subject: Subject;
  algorithm?: KeyAlgorithm;
  validityDays?: number;
  now?: Date;
}

export interface LeafOptions {
  subject: Subject;
  usages: ExtKeyUsage[];
  dnsNames?: string[];
  ipAddresses?: string[];
  algorithm?: KeyAlgorithm;
  validityDays?: number;
  now?: Date;
}

export async function createCa(options: CaOptions): Promise<CertAndKey> {
  const pair = await generateKeyPair(options.algorithm ?? DEFAULT_KEY_ALGORITHM);
  const keys = await toCryptoKeys(pair);
  const now = options.now ?? new Date();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: distinguishedName(options.subject),
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + (options.validityDays ?? CA_VALIDITY_DAYS) * DAY_MS),
    signingAlgorithm: signingAlgorithm(pair.algorithm),
    keys: keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.keyCertSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString("pem"), keyPem: pair.privateKeyPem };
}

/** A leaf certificate signed by `ca`, with a fresh key of its own. */
export async function issueCertificate(ca: CertAndKey, options: LeafOptions): Promise<CertAndKey> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caPair = parsePrivateKey(ca.keyPem);
  const caKeys = await toCryptoKeys(caPair);
  const pair = await generateKeyPair(options.algorithm ?? caPair.algorithm);
  const leafKeys = await toCryptoKeys(pair);
  const now = options.now ?? new Date();
  const notAfter = new Date(
    Math.min(now.getTime() + (options.validityDays ?? LEAF_VALIDITY_DAYS) * DAY_MS, caCert.notAfter.getTime()),
  );
  const usage =
    x509.KeyUsageFlags.digitalSignature | (pair.algorithm === "RSA-2048" ? x509.KeyUsageFlags.keyEncipherment : 0);
  const names: x509.JsonGeneralName[] = [
    ...(options.dnsNames ?? []).map((value) => ({ type: "dns" as const, value })),
    ...(options.ipAddresses ?? []).map((value) => ({ type: "ip" as const, value })),
  ];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(usage, true),
    new x509.ExtendedKeyUsageExtension(options.usages.map((u) => EKU_OID[u])),
    await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: distinguishedName(options.subject),
    issuer: caCert.subject,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter,
    signingAlgorithm: signingAlgorithm(caPair.algorithm),
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    extensions,
  });
  return { certPem: cert.toString("pem"), keyPem: pair.privateKeyPem };
}

function distinguishedName(subject: Subject): x509.JsonName {
  const name: x509.JsonName = [];
  for (const o of subject.organization ?? []) name.push({ O: [o] });
  name.push({ CN: [subject.commonName] });
  return name;
}

/** A positive 128-bit serial (top bit cleared so DER needs no sign byte). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString("hex");
}
