/**
 * Private keys from node:crypto, PEM-encoded the way kubeadm writes them itself
 * ("EC PRIVATE KEY" SEC1 for ECDSA, "RSA PRIVATE KEY" PKCS#1 for RSA). kubeadm, etcd
 * and the kubelet read these as well as PKCS#8 "PRIVATE KEY".
 */
import { createPrivateKey, createPublicKey, generateKeyPair as generateKeyPairCb, webcrypto, type KeyObject } from "node:crypto";
import { promisify } from "node:util";

type WebCryptoKeyPair = webcrypto.CryptoKeyPair;
import { Secret } from "../engine/secret.js";

const generateKeyPairAsync = promisify(generateKeyPairCb);

/** kubeadm's `encryptionAlgorithm` names the same two choices (ECDSA-P256, RSA-2048). */
export type KeyAlgorithm = "ECDSA-P256" | "RSA-2048";
export const DEFAULT_KEY_ALGORITHM: KeyAlgorithm = "ECDSA-P256";

export interface KeyPair {
  privateKeyPem: Secret;
  /** SubjectPublicKeyInfo, "PUBLIC KEY". */
  publicKeyPem: string;
  algorithm: KeyAlgorithm;
}

export async function generateKeyPair(algorithm: KeyAlgorithm = DEFAULT_KEY_ALGORITHM): Promise<KeyPair> {
  const { privateKey } =
    algorithm === "RSA-2048"
      ? await generateKeyPairAsync("rsa", { modulusLength: 2048 })
      : await generateKeyPairAsync("ec", { namedCurve: "P-256" });
  return fromKeyObject(privateKey);
}

/** Reads a PEM private key (SEC1, PKCS#1 or PKCS#8). */
export function parsePrivateKey(pem: Secret | string): KeyPair {
  const text = typeof pem === "string" ? pem : pem.reveal();
  return fromKeyObject(createPrivateKey(text));
}

function fromKeyObject(privateKey: KeyObject): KeyPair {
  const algorithm = keyAlgorithmOf(privateKey);
  const type = algorithm === "RSA-2048" ? "pkcs1" : "sec1";
  const privatePem = privateKey.export({ type, format: "pem" }).toString();
  const publicKeyPem = createPublicKey(privateKey).export({ type: "spki", format: "pem" }).toString();
  return { privateKeyPem: new Secret(privatePem), publicKeyPem, algorithm };
}

function keyAlgorithmOf(key: KeyObject): KeyAlgorithm {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === "ec" && details?.namedCurve === "prime256v1") return "ECDSA-P256";
  if (key.asymmetricKeyType === "rsa" && (details?.modulusLength ?? 0) >= 2048) return "RSA-2048";
  throw new Error(`unsupported key: ${key.asymmetricKeyType} ${details?.namedCurve ?? details?.modulusLength ?? ""}`.trim());
}

/** WebCrypto parameters of a key algorithm, for @peculiar/x509. */
export function webCryptoAlgorithm(algorithm: KeyAlgorithm): webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams {
  return algorithm === "RSA-2048"
    ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }
    : { name: "ECDSA", namedCurve: "P-256" };
}

export function signingAlgorithm(algorithm: KeyAlgorithm): webcrypto.Algorithm | webcrypto.EcdsaParams {
  return algorithm === "RSA-2048" ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } : { name: "ECDSA", hash: "SHA-256" };
}

/** The pair as WebCrypto keys (the private one not extractable). */
export async function toCryptoKeys(pair: KeyPair): Promise<WebCryptoKeyPair> {
  const alg = webCryptoAlgorithm(pair.algorithm);
  const pkcs8 = createPrivateKey(pair.privateKeyPem.reveal()).export({ type: "pkcs8", format: "der" });
  const spki = createPublicKey(pair.publicKeyPem).export({ type: "spki", format: "der" });
  const [privateKey, publicKey] = await Promise.all([
    webcrypto.subtle.importKey("pkcs8", pkcs8, alg, false, ["sign"]),
    webcrypto.subtle.importKey("spki", spki, alg, true, ["verify"]),
  ]);
  return { privateKey, publicKey } as WebCryptoKeyPair;
}
