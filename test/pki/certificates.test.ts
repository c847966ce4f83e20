import { afterAll, describe, expect, it } from "vitest";
import { createCa, issueCertificate } from "../../src/pki/certificates.js";
import { caCertHash, inspectCertificate, isSignedBy, keyMatchesCertificate } from "../../src/pki/inspect.js";
import { parsePrivateKey, type KeyAlgorithm } from "../../src/pki/keys.js";
import { APISERVER_ETCD_CLIENT, etcdPeerProfile, etcdServerProfile } from "../../src/pki/profiles.js";
import { generateServiceAccountKeyPair } from "../../src/pki/service-account.js";
import { openssl, opensslCaHash, TempDir, verifyChain } from "./openssl.js";

const dir = new TempDir();
afterAll(() => dir.remove());

const member = { name: "etcd-a", privateIp: "10.0.96.10", privateDns: "ip-10-0-96-10.eu-west-1.compute.internal" };

describe.each<KeyAlgorithm>(["ECDSA-P256", "RSA-2048"])("PKI with %s keys", (algorithm) => {
  it("makes a CA that openssl accepts as a CA, valid 10 years", async () => {
    const ca = await createCa({ subject: { commonName: "etcd-ca" }, algorithm });
    const text = openssl(["x509", "-noout", "-text"], ca.certPem);
    expect(text).toMatch(/CA:TRUE/);
    expect(text).toMatch(/Certificate Sign/);
    expect(text).toMatch(/Subject: CN\s?=\s?etcd-ca/);
    const years = (inspectCertificate(ca.certPem).notAfter.getTime() - Date.now()) / (365 * 86_400_000);
    expect(years).toBeGreaterThan(9.9);
    expect(years).toBeLessThan(10.1);
    const [ok, out] = verifyChain(dir, ca.certPem, ca.certPem);
    expect(ok, out).toBe(true);
  });

  it("issues an etcd server certificate that verifies, with the SANs and usages etcd needs", async () => {
    const ca = await createCa({ subject: { commonName: "etcd-ca" }, algorithm });
    const server = await issueCertificate(ca, etcdServerProfile(member).options);
    for (const purpose of ["sslserver", "sslclient"]) {
      const [ok, out] = verifyChain(dir, ca.certPem, server.certPem, purpose);
      expect(ok, out).toBe(true);
    }
    const text = openssl(["x509", "-noout", "-text"], server.certPem);
    expect(text).toMatch(/TLS Web Server Authentication, TLS Web Client Authentication/);
    expect(text).toMatch(/CA:FALSE/);
    expect(text).toMatch(/Digital Signature/);
    const san = /X509v3 Subject Alternative Name:\s*\n\s*(.*)\n/.exec(text)?.[1] ?? "";
    for (const name of [`DNS:${member.privateDns}`, "DNS:localhost", `IP Address:${member.privateIp}`, "IP Address:127.0.0.1"]) {
      expect(san).toContain(name);
    }
    const years = (inspectCertificate(server.certPem).notAfter.getTime() - Date.now()) / (365 * 86_400_000);
    expect(years).toBeGreaterThan(0.99);
    expect(years).toBeLessThan(1.01);
    expect(keyMatchesCertificate(server.certPem, server.keyPem)).toBe(true);
    expect(isSignedBy(server.certPem, ca.certPem)).toBe(true);
  });

  it("issues a peer certificate with the member's IP and DNS name only", async () => {
    const ca = await createCa({ subject: { commonName: "etcd-ca" }, algorithm });
    const peer = await issueCertificate(ca, etcdPeerProfile(member).options);
    const facts = inspectCertificate(peer.certPem);
    expect(facts.ipAddresses).toEqual([member.privateIp]);
    expect(facts.dnsNames.sort()).toEqual([member.name, member.privateDns].sort());
    const [ok, out] = verifyChain(dir, ca.certPem, peer.certPem, "sslserver");
    expect(ok, out).toBe(true);
  });

  it("issues a client-only apiserver-etcd-client certificate that a server may not use", async () => {
    const ca = await createCa({ subject: { commonName: "etcd-ca" }, algorithm });
    const client = await issueCertificate(ca, APISERVER_ETCD_CLIENT.options);
    expect(verifyChain(dir, ca.certPem, client.certPem, "sslclient")[0]).toBe(true);
    expect(verifyChain(dir, ca.certPem, client.certPem, "sslserver")[0]).toBe(false);
    expect(openssl(["x509", "-noout", "-subject"], client.certPem)).toMatch(/CN\s?=\s?kube-apiserver-etcd-client/);
  });

  it("writes keys in the PEM forms kubeadm writes and reads", async () => {
    const ca = await createCa({ subject: { commonName: "kubernetes" }, algorithm });
    const header = algorithm === "RSA-2048" ? "-----BEGIN RSA PRIVATE KEY-----" : "-----BEGIN EC PRIVATE KEY-----";
    expect(ca.keyPem.reveal().startsWith(header)).toBe(true);
    const keyFile = dir.write(`key-${algorithm}.pem`, ca.keyPem.reveal());
    expect(openssl(["pkey", "-in", keyFile, "-noout", "-check"])).toMatch(/valid/i);
    expect(parsePrivateKey(ca.keyPem).algorithm).toBe(algorithm);
    expect(String(ca.keyPem)).toBe("***");
  });

  it("computes the CA hash exactly as kubeadm's documented openssl pipeline", async () => {
    const ca = await createCa({ subject: { commonName: "kubernetes" }, algorithm });
    expect(caCertHash(ca.certPem)).toBe(opensslCaHash(ca.certPem));
    expect(caCertHash(ca.certPem)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe("chains", () => {
  it("a certificate does not verify against another CA", async () => {
    const ca = await createCa({ subject: { commonName: "etcd-ca" } });
    const other = await createCa({ subject: { commonName: "etcd-ca" } });
    const leaf = await issueCertificate(ca, APISERVER_ETCD_CLIENT.options);
    const [ok, out] = verifyChain(dir, other.certPem, leaf.certPem);
    expect(ok).toBe(false);
    expect(out).toMatch(/unable to get local issuer certificate|certificate signature failure/);
    expect(isSignedBy(leaf.certPem, other.certPem)).toBe(false);
  });

  it("a leaf never outlives its CA", async () => {
    const ca = await createCa({ subject: { commonName: "short" }, validityDays: 30 });
    const leaf = await issueCertificate(ca, APISERVER_ETCD_CLIENT.options);
    expect(inspectCertificate(leaf.certPem).notAfter.getTime()).toBeLessThanOrEqual(inspectCertificate(ca.certPem).notAfter.getTime());
  });

  it("the service-account pair is RSA, PKCS#1 private and SPKI public", async () => {
    const sa = await generateServiceAccountKeyPair();
    expect(sa.privateKeyPem.reveal()).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    expect(sa.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const pub = openssl(["pkey", "-pubout"], sa.privateKeyPem.reveal());
    expect(pub.trim()).toBe(sa.publicKeyPem.trim());
  });
});
