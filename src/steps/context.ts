/**
 * The one object every step sees (DESIGN.md "The Step contract"). Commands build it,
 * tests build it with fakes. Nothing else is passed to a step.
 */
import type { EngineContext } from "../engine/types.js";
import type { ClusterConfig } from "../config/schema.js";
import type { AwsClients } from "../aws/clients.js";
import type { SshPool } from "../ssh/types.js";
import type { SecretStore } from "../secrets/store.js";
import type { Inventory } from "./inventory.js";

export interface KxContext extends EngineContext {
  readonly config: ClusterConfig;
  /** `config.name`, for brevity. */
  readonly cluster: string;
  /** Per-service SDK clients. `aws.live` is false when planning without credentials. */
  readonly aws: AwsClients;
  /** One SSH connection per host for the whole run. */
  readonly ssh: SshPool;
  /** SSM SecureString on AWS; the state directory's secrets/ for a `hosts:` cluster. */
  readonly secrets: SecretStore;
  /** Which machines play which role, with their addresses and pinned host keys. */
  readonly inventory: Inventory;
  /** The cluster's state directory (~/.kx/<cluster>). */
  readonly stateDir: string;
  /** Where the run's verbose log goes; also shown with --verbose. */
  readonly verbose: boolean;
}
