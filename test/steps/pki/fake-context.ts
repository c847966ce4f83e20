/** A KxContext for step tests: real secret store, fake inventory, no AWS, a recording log. */
import type { ClusterConfig } from "../../../src/config/schema.js";
import { clusterSchemaShape } from "../../../src/config/schema.js";
import type { Outputs } from "../../../src/engine/types.js";
import type { AwsClients } from "../../../src/aws/clients.js";
import type { SshPool } from "../../../src/ssh/types.js";
import type { SecretStore } from "../../../src/secrets/store.js";
import type { KxContext } from "../../../src/steps/context.js";
import type { Inventory, NodeHost } from "../../../src/steps/inventory.js";

export interface FakeContextOptions {
  config?: Partial<Record<string, unknown>>;
  secrets: SecretStore;
  hosts?: NodeHost[];
  ssh?: SshPool;
  awsLive?: boolean;
  outputs?: Record<string, Outputs>;
  dryRun?: boolean;
  stateDir?: string;
  /** Replaces the fake inventory built from `hosts`. */
  inventory?: Inventory;
}

export interface FakeContext extends KxContext {
  logLines: string[];
  /** Outputs the test records between steps (what the runner would do). */
  setOutputs(stepId: string, outputs: Outputs): void;
}

export function parseConfig(overrides: Partial<Record<string, unknown>> = {}): ClusterConfig {
  return clusterSchemaShape.parse({ apiVersion: "kx.dev/v1alpha1", kind: "Cluster", name: "lab", ...overrides });
}

export function fakeContext(options: FakeContextOptions): FakeContext {
  const config = parseConfig(options.config);
  const outputs = new Map(Object.entries(options.outputs ?? {}));
  const hosts = options.hosts ?? [];
  const logLines: string[] = [];
  const inventory: Inventory = options.inventory ?? {
    async hosts(role) {
      return hosts.filter((h) => h.role === role);
    },
    async bastion() {
      return undefined;
    },
  };
  const noAws = new Proxy({ region: "eu-west-1", live: options.awsLive ?? false } as AwsClients, {
    get(target, prop) {
      if (prop in target) return target[prop as keyof AwsClients];
      return () => Promise.reject(new Error(`test context: AWS ${String(prop)} called`));
    },
  });
  const noSsh: SshPool = {
    session: () => Promise.reject(new Error("test context: no SSH")),
    close: async () => {},
  };
  return {
    config,
    cluster: config.name,
    aws: noAws,
    ssh: options.ssh ?? noSsh,
    secrets: options.secrets,
    inventory,
    stateDir: options.stateDir ?? "/nonexistent",
    verbose: false,
    dryRun: options.dryRun ?? false,
    signal: new AbortController().signal,
    outputs: (id) => outputs.get(id),
    setOutputs: (id, o) => void outputs.set(id, o),
    logLines,
    log: {
      info: (m) => void logLines.push(`info ${m}`),
      debug: (m) => void logLines.push(`debug ${m}`),
      warn: (m) => void logLines.push(`warn ${m}`),
      progress: (s, m) => void logLines.push(`progress ${s} ${m}`),
    },
  };
}

export function etcdHost(name: string, ip: string, dns = `${name}.internal`): NodeHost {
  return {
    name,
    role: "etcd",
    privateIp: ip,
    nodeName: dns,
    ssh: { name, address: ip, port: 22, user: "root", privateKeyFile: "/dev/null" },
  };
}
