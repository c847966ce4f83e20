/** The one output shape of every pki/* step: secret name → notAfter (ISO 8601). Never keys. */
import type { Outputs } from "../../engine/types.js";
import { inspectCertificate } from "../../pki/inspect.js";

export type CertificateExpiries = Record<string, string>;

export function expiryOf(certPem: string): string {
  return inspectCertificate(certPem).notAfter.toISOString();
}

export function certificatesOutput(expiries: CertificateExpiries): Outputs {
  return { certificates: Object.fromEntries(Object.entries(expiries).sort(([a], [b]) => a.localeCompare(b))) };
}

/** Reads a pki step's outputs back (for `kx status` and the state's data.certificates). */
export function readCertificatesOutput(outputs: Outputs | undefined): CertificateExpiries {
  const value = outputs?.certificates;
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string"));
}
