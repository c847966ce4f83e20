// @ts-check
import { randomBytes, randomUUID } from "node:crypto";

/** An EC2-style id: `vpc-0a1b2c3d4e5f60718` (17 hex digits). @param {string} prefix */
export function ec2Id(prefix) {
  return `${prefix}-0${randomBytes(8).toString("hex")}`;
}

/** @param {number} bytes */
export function hex(bytes) {
  return randomBytes(bytes).toString("hex");
}

/** An upper-case alphanumeric id such as IAM's `AROA…` role ids. @param {string} prefix @param {number} len */
export function upperId(prefix, len) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bytes = randomBytes(len);
  let s = prefix;
  for (let i = 0; i < len; i++) s += alphabet[bytes[i] % alphabet.length];
  return s;
}

export const requestId = () => randomUUID();
export { randomUUID };
