/**
 * Everything a run shares across its steps: the AWS clients (live, or offline when
 * planning without credentials), the secret store, the one SSH pool, the inventory of
 * hosts, and the state document. `makeContext` gives each step its KxContext.
 */
import type { GlobalOptions } from "../cli.js";
import { isHostsCluster, type ClusterConfig } from "../config/schema.js";
import { CredentialsError, isKxError } from "../engine/errors.js";
import type { EngineServices } from "../engine/runner.js";
import { newStateDoc, type StateDoc } from "../engine/state.js";
import type { Step } from "../engine/types.js";
import type { AwsClients } from "../aws/clients.js";
import type { SecretStore } from "../secrets/store.js";
import type { SshPool } from "../ssh/types.js";
import type { KxContext } from "../steps/context.js";
import type { Inventory } from "../steps/inventory.js";
import type { Io } from "../ui/io.js";
import { EmptySecretStore } from "./empty-secret-store.js";
import { stateHostKeyStore } from "./host-key-store.js";
import { awsInventory } from "../steps/inventory-aws.js";
import { hostsInventory } from "../steps/inventory-hosts.js";

export interface SessionOptions {
  config: ClusterConfig;
  stateDir: string;
  dryRun: boolean;
  globals: Partial<GlobalOptions>;
  io: Io;
  state: StateDoc | undefined;
  kxVersion?: string;
}

export interface Session {
  readonly aws: AwsClients;
  readonly secrets: SecretStore;
  readonly ssh: SshPool;
  readonly state: StateDoc;
  /** Said before the run, e.g. that planning happens without AWS credentials. */
  readonly notes: string[];
  makeContext(step: Step<KxContext>, engine: EngineServices): KxContext;
  inventory(outputs: (id: string) => ReturnType<EngineServices["outputs"]>): Inventory;
  close(): Promise<void>;
}

export async function openSession(options: SessionOptions): Promise<Session> {
  const { config, dryRun, io } = options;
  const notes: string[] = [];
  const state = options.state ?? newStateDoc(config.name, options.kxVersion ?? "0.0.0");
  const aws = await connectAws(options, notes);

  let secrets: SecretStore;
  if (aws.live) {
    const { SsmSecretStore } = await import("../aws/ssm-secret-store.js");
    secrets = new SsmSecretStore(aws, config.name);
  } else if (isHostsCluster(config)) {
    const { LocalSecretStore } = await import("../secrets/local-store.js");
    secrets = dryRun ? new EmptySecretStore(new LocalSecretStore(options.stateDir)) : new LocalSecretStore(options.stateDir);
  } else {
    secrets = new EmptySecretStore();
  }

  const { createSshPool } = await import("../ssh/pool.js");
  const ssh = createSshPool({
    hostKeys: stateHostKeyStore(state),
    onOutput: (host, line) => io.debug(`[${host}] ${line}`),
  });

  const inventory = (outputs: (id: string) => ReturnType<EngineServices["outputs"]>): Inventory =>
    isHostsCluster(config) ? hostsInventory(config, stateHostKeyStore(state)) : awsInventory(outputs, config, { partial: dryRun });

  return {
    aws,
    secrets,
    ssh,
    state,
    notes,
    inventory,
    makeContext(step, engine) {
      const log = engine.log;
      return {
        dryRun: engine.dryRun,
        signal: engine.signal,
        outputs: engine.outputs,
        log,
        config,
        cluster: config.name,
        aws,
        ssh,
        secrets,
        inventory: inventory(engine.outputs),
        stateDir: options.stateDir,
        verbose: Boolean(options.globals.verbose),
      };
    },
    async close() {
      await ssh.close();
    },
  };
}

/** Live clients after a credentials check; offline ones for a dry run without credentials or a hosts-only cluster. */
async function connectAws(options: SessionOptions, notes: string[]): Promise<AwsClients> {
  const { createAwsClients, offlineAwsClients } = await import("../aws/factory.js");
  const { config, globals, dryRun } = options;
  const region = globals.region ?? config.region;
  if (isHostsCluster(config) && !config.region && !globals.region) return offlineAwsClients("(none)");
  const { checkCredentials } = await import("../aws/identity.js");
  try {
    const aws = await createAwsClients({ region, profile: globals.profile, live: true });
    const identity = await checkCredentials(aws);
    options.io.debug(`AWS: account ${identity.account} as ${identity.arn}, region ${aws.region}`);
    return aws;
  } catch (error) {
    if (!dryRun || !(error instanceof CredentialsError || (isKxError(error) && error.exitCode === 2))) throw error;
    notes.push(`No usable AWS credentials (${(error as Error).message}): planned as for an empty account.`);
    return offlineAwsClients(region ?? "(unknown region)");
  }
}
