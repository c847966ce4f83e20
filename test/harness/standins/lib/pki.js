// @ts-check
/**
 * The certificate work the stand-ins do as kubeadm, the kubelet and the API server do it:
 * check that a certificate chains to a CA and matches its key, and sign the per-node
 * certificates (apiserver, kubelet client, admin) with a CA kx placed.
 */
import { X509Certificate, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, webcrypto } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";

/** @peculiar/x509 is loaded only by the commands that sign (it is slow to load). */
let x509Module;
async function x509Lib() {
  if (!x509Module) {
    x509Module = await import("@peculiar/x509");
    x509Module.cryptoProvider.set(/** @type {any} */ (webcrypto));
  }
  return x509Module;
}

export class PkiError extends Error {}

/** Reads a certificate file the way kubeadm's LoadCertificateAuthority does, with its wording. */
export function loadCertificate(path, what = "certificate") {
  if (!existsSync(path)) throw new PkiError(`failure loading ${what}: couldn't load the certificate file ${path}: open ${path}: no such file or directory`);
  const pem = readFileSync(path, "utf8");
  try {
    return { pem, cert: new X509Certificate(pem) };
  } catch (e) {
    throw new PkiError(`failure loading ${what}: couldn't load the certificate file ${path}: data does not contain any valid RSA or ECDSA certificates`);
  }
}

export function loadKey(path, what = "key") {
  if (!existsSync(path)) throw new PkiError(`failure loading ${what}: couldn't load the private key file ${path}: open ${path}: no such file or directory`);
  const pem = readFileSync(path, "utf8");
  try {
    return { pem, key: createPrivateKey(pem) };
  } catch {
    throw new PkiError(`failure loading ${what}: couldn't load the private key file ${path}: data does not contain a valid RSA or ECDSA private key`);
  }
}

/** DER SubjectPublicKeyInfo of a private key, a public key (object or PEM). */
export function spki(key) {
  const pub = typeof key === "object" && key.type === "public" ? key : createPublicKey(key);
  return pub.export({ type: "spki", format: "der" });
}

/** A CA pair kubeadm accepts: a CA certificate, and the key that belongs to it. */
export function loadCaPair(certPath, keyPath, name) {
  const { pem, cert } = loadCertificate(certPath, `${name} certificate authority`);
  if (!cert.ca) throw new PkiError(`${name} certificate is not a certificate authority`);
  const { pem: keyPem, key } = loadKey(keyPath, `${name} certificate authority`);
  if (!spki(key).equals(spki(cert.publicKey))) throw new PkiError(`failure loading ${name} certificate authority: private key does not match public key`);
  return { certPem: pem, keyPem, cert, key };
}

/** The certificate at `certPath` is signed by the CA at `caPath` (kubeadm: "x509: certificate signed by unknown authority"). */
export function checkChain(certPath, caPath, name) {
  const { cert } = loadCertificate(certPath, name);
  const { cert: ca } = loadCertificate(caPath, `${name} CA`);
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) {
    throw new PkiError(`${certPath}: x509: certificate signed by unknown authority (the CA is ${caPath}, subject "${ca.subject.replaceAll("\n", ",")}")`);
  }
  if (new Date(cert.validTo) < new Date()) throw new PkiError(`${certPath}: x509: certificate has expired (notAfter ${cert.validTo})`);
  return cert;
}

export function caCertHash(caPem) {
  return `sha256:${createHash("sha256").update(spki(new X509Certificate(caPem).publicKey)).digest("hex")}`;
}

export function newKeyPem() {
  return generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "sec1", format: "pem" }).toString();
}


/**
 * Signs a certificate for `publicKeyPem` (or a fresh key) with the CA.
 * @param {{ certPem: string, keyPem: string }} ca
 * @param {{ cn: string, o?: string[], dns?: string[], ips?: string[], usages: ("serverAuth"|"clientAuth")[], publicKeyPem?: string, days?: number }} o
 */
export async function issue(ca, o) {
  const x509 = await x509Lib();
  const EKU = { serverAuth: x509.ExtendedKeyUsage.serverAuth, clientAuth: x509.ExtendedKeyUsage.clientAuth };
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKeyObj = createPrivateKey(ca.keyPem);
  const caAlg = caKeyObj.asymmetricKeyType === "rsa" ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } : { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const signingKey = await webcrypto.subtle.importKey("pkcs8", caKeyObj.export({ type: "pkcs8", format: "der" }), caAlg, false, ["sign"]);
  const keyPem = o.publicKeyPem ? undefined : newKeyPem();
  const pubDer = createPublicKey(o.publicKeyPem ?? /** @type {string} */ (keyPem)).export({ type: "spki", format: "der" });
  const pubKeyObj = createPublicKey(o.publicKeyPem ?? /** @type {string} */ (keyPem));
  const pubAlg = pubKeyObj.asymmetricKeyType === "rsa" ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } : { name: "ECDSA", namedCurve: "P-256" };
  const publicKey = await webcrypto.subtle.importKey("spki", pubDer, pubAlg, true, ["verify"]);
  const names = [...(o.dns ?? []).map((value) => ({ type: "dns", value })), ...(o.ips ?? []).map((value) => ({ type: "ip", value }))];
  const now = Date.now();
  const extensions = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(o.usages.map((u) => EKU[u])),
  ];
  if (names.length) extensions.push(new x509.SubjectAlternativeNameExtension(/** @type {any} */ (names)));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomBytes(8).toString("hex").replace(/^[89a-f]/, "1"),
    subject: [...(o.o ?? []).map((v) => ({ O: [v] })), { CN: [o.cn] }],
    issuer: caCert.subject,
    notBefore: new Date(now - 300_000),
    notAfter: new Date(Math.min(now + (o.days ?? 365) * 86_400_000, caCert.notAfter.getTime())),
    signingAlgorithm: caAlg,
    publicKey,
    signingKey,
    extensions,
  });
  return { certPem: cert.toString("pem"), keyPem };
}
