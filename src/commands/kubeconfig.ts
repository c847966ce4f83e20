/**
 * `kx kubeconfig`: the admin kubeconfig from the secret store (SSM on AWS, the state
 * directory's secrets/ for a `hosts:` cluster), renamed to context `kx-<cluster>`, either
 * merged into ~/.kube/config (or $KUBECONFIG's first file) or written to --write PATH.
 * Files are written 0600 through a temp file and a rename. The client key is printed only
 * with --print, straight to stdout and never into kx's log.
 */
import { mkdir, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { parse, stringify } from "yaml";
import type { GlobalOptions } from "../cli.js";
import { expandHome } from "../config/load.js";
import { KxError, UsageError } from "../engine/errors.js";
import { Secret } from "../engine/secret.js";
import { writePrivateFile } from "../engine/private-file.js";
import type { Io } from "../ui/io.js";
import { openSession } from "../workflows/session.js";
import { ioFor, loadSelectedConfig, stateDirFor } from "./support/common.js";

export const ADMIN_KUBECONFIG_SECRET = "kubeconfig/admin";

export interface KubeconfigOptions {
  file?: string;
  cluster?: string;
  /** Write a standalone kubeconfig to this path instead of merging. */
  write?: string;
  /** Print the kubeconfig (with its key) to stdout. */
  print?: boolean;
}

interface Named<T> {
  name: string;
  [key: string]: unknown;
  value?: T;
}

interface KubeconfigDoc {
  apiVersion?: string;
  kind?: string;
  clusters?: Named<unknown>[];
  contexts?: Named<unknown>[];
  users?: Named<unknown>[];
  "current-context"?: string;
  preferences?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The admin kubeconfig with its cluster, user and context all named `context`. */
export function renameKubeconfig(adminYaml: string, context: string): KubeconfigDoc {
  const doc = parse(adminYaml) as KubeconfigDoc;
  const current = doc.contexts?.find((c) => c.name === doc["current-context"]) as { context?: { cluster?: string; user?: string } } | undefined;
  const cluster = doc.clusters?.find((c) => c.name === current?.context?.cluster);
  const user = doc.users?.find((u) => u.name === current?.context?.user);
  if (!current || !cluster || !user) throw new KxError("the admin kubeconfig in the secret store has no usable current context");
  return {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ ...cluster, name: context }],
    contexts: [{ name: context, context: { cluster: context, user: context } }],
    users: [{ ...user, name: context }],
    "current-context": context,
    preferences: {},
  };
}

/** `incoming`'s entries replace same-named ones in `existing`; everything else is kept. */
export function mergeKubeconfig(existing: KubeconfigDoc | undefined, incoming: KubeconfigDoc): KubeconfigDoc {
  const base: KubeconfigDoc = existing ?? { apiVersion: "v1", kind: "Config", preferences: {} };
  const merge = (a: Named<unknown>[] | undefined, b: Named<unknown>[] | undefined) => {
    const names = new Set((b ?? []).map((x) => x.name));
    return [...(a ?? []).filter((x) => !names.has(x.name)), ...(b ?? [])];
  };
  return {
    ...base,
    apiVersion: base.apiVersion ?? "v1",
    kind: base.kind ?? "Config",
    clusters: merge(base.clusters, incoming.clusters),
    contexts: merge(base.contexts, incoming.contexts),
    users: merge(base.users, incoming.users),
    "current-context": incoming["current-context"],
  };
}

async function writeKubeconfigFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writePrivateFile(path, text);
}

async function readExisting(path: string): Promise<KubeconfigDoc | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return undefined;
    throw e;
  }
  const doc = parse(text) as KubeconfigDoc | null;
  if (doc !== null && (typeof doc !== "object" || Array.isArray(doc))) {
    throw new KxError(`${path} is not a kubeconfig file; kx left it alone`, { source: "user", hint: "Use --write PATH to write a separate file." });
  }
  return doc ?? undefined;
}

export function defaultKubeconfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const first = env.KUBECONFIG?.split(":").find(Boolean);
  return first ? expandHome(first) : join(homedir(), ".kube", "config");
}

export async function run(options: KubeconfigOptions, globals: Partial<GlobalOptions>, io: Io = ioFor(globals)): Promise<number> {
  if (options.write && options.print) throw new UsageError("--write and --print exclude each other");
  const { config } = await loadSelectedConfig(options, globals, io);
  const stateDir = stateDirFor(globals, config.name);
  const session = await openSession({ config, stateDir, dryRun: false, globals, io, state: undefined });
  let admin: Secret | undefined;
  try {
    admin = await session.secrets.get(ADMIN_KUBECONFIG_SECRET);
  } finally {
    await session.close();
  }
  if (!admin) {
    throw new KxError(`cluster ${config.name} has no admin kubeconfig in its secret store yet`, {
      source: "user",
      hint: `It is stored by \`kx create cluster\` once kubeadm init has run on the first master.`,
    });
  }
  const context = `kx-${config.name}`;
  const doc = renameKubeconfig(admin.reveal(), context);
  const text = new Secret(stringify(doc));
  if (options.print) {
    // Asked for explicitly: to stdout only, not through the Io (whose log file would keep the key).
    io.stdout.write(text.reveal());
    return 0;
  }
  const path = options.write ? expandHome(options.write) : defaultKubeconfigPath();
  const merged = options.write ? doc : mergeKubeconfig(await readExisting(path), doc);
  await writeKubeconfigFile(path, stringify(merged));
  io.info(options.write ? `Wrote the admin kubeconfig of ${config.name} to ${path} (context ${context}).` : `Merged context ${context} into ${path} and made it the current context.`);
  return 0;
}
