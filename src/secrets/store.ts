/**
 * Where secrets live: SSM Parameter Store SecureString under /kx/<cluster>/ on AWS, the
 * state directory's secrets/ (0700, files 0600) for a `hosts:` cluster. Names are
 * relative paths such as "pki/etcd/ca.key" or "join/token".
 */
import type { Secret } from "../engine/secret.js";

export interface SecretStore {
  get(name: string): Promise<Secret | undefined>;
  /** Creates or overwrites. */
  put(name: string, value: Secret | string, options?: { description?: string }): Promise<void>;
  /** Names under a prefix ("pki/"). */
  list(prefix: string): Promise<string[]>;
  delete(name: string): Promise<void>;
}
