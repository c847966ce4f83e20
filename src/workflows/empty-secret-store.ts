/**
 * The secret store of a dry run: reads go to the real store when there is one (so a
 * plan sees what exists), and nothing is ever written. Without credentials it is empty,
 * which plans as for a new cluster.
 */
import { KxError } from "../engine/errors.js";
import type { Secret } from "../engine/secret.js";
import type { SecretStore } from "../secrets/store.js";

export class EmptySecretStore implements SecretStore {
  readonly #reads?: SecretStore;
  constructor(reads?: SecretStore) {
    this.#reads = reads;
  }
  async get(name: string): Promise<Secret | undefined> {
    return this.#reads?.get(name);
  }
  async list(prefix: string): Promise<string[]> {
    return (await this.#reads?.list(prefix)) ?? [];
  }
  async put(name: string): Promise<void> {
    throw new KxError(`internal error: a step tried to store secret ${name} during a dry run`);
  }
  async delete(name: string): Promise<void> {
    throw new KxError(`internal error: a step tried to delete secret ${name} during a dry run`);
  }
}
