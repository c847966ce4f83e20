/**
 * The questions of `kx create cluster` at a terminal with no file. Defaults come from
 * the schema (or `initial`), zones and instance types from AWS when the sources have
 * credentials, and every answer is checked with the same schema and rules as a file,
 * so the wizard can only return a config that `kx config validate` accepts.
 */
import { ConfigError } from "../engine/errors.js";
import { API_VERSION, KIND, SUPPORTED_K8S_MINORS } from "./constants.js";
import { defaultZones } from "./derive.js";
import type { Choice, Prompter } from "./prompter.js";
import { formatPath } from "./rules.js";
import { clusterSchemaShape, type ClusterConfig } from "./schema.js";
import { checkConfig } from "./validate.js";

/** What AWS can offer; each returns undefined when there are no credentials (the wizard then asks for text). */
export interface WizardSources {
  zones(region: string): Promise<string[] | undefined>;
  instanceTypes(region: string): Promise<string[] | undefined>;
}

export interface WizardOptions {
  prompter: Prompter;
  sources: WizardSources;
  /** Answers known already (e.g. --region): offered as the defaults. */
  initial?: Record<string, unknown>;
}

type Draft = Record<string, unknown>;

/** The add-ons an operator switches; the cloud controller is not optional on AWS. */
const ADDON_CHOICES: Choice<string>[] = [
  { value: "cilium", name: "Cilium (network, kube-proxy replacement, Hubble)" },
  { value: "ebsCsi", name: "EBS CSI driver (persistent volumes, gp3 default StorageClass)" },
  { value: "istio", name: "Istio service mesh" },
  { value: "efk", name: "EFK logging (Elasticsearch, Kibana, Filebeat)" },
  { value: "metricbeat", name: "Metricbeat metrics (needs EFK)" },
];
const ISTIO_TOOLS = ["prometheus", "grafana", "kiali", "jaeger"] as const;

export async function runWizard({ prompter, sources, initial = {} }: WizardOptions): Promise<ClusterConfig> {
  const draft: Draft = { ...structuredClone(initial), apiVersion: API_VERSION, kind: KIND };
  const ask = new Questions(prompter, draft);

  await ask.text("name", "Cluster name (lower-case letters, digits and '-'):");
  await ask.text("region", "AWS region:");
  const region = getIn(draft, "region") as string;
  await askZones(ask, prompter, region, await offered(() => sources.zones(region)));
  await ask.text("dns.zone", "DNS zone of the cluster (a private Route53 zone is created), e.g. lab.example.com:");
  const supported = `${SUPPORTED_K8S_MINORS[0]}–${SUPPORTED_K8S_MINORS[SUPPORTED_K8S_MINORS.length - 1]}`;
  await ask.text("kubernetes.version", `Kubernetes version (${supported}):`);

  const quorum: Choice<number>[] = [
    { value: 1, name: "1 (no fault tolerance)" },
    { value: 3, name: "3 (one per zone, survives the loss of one)" },
    { value: 5, name: "5 (survives the loss of two)" },
  ];
  await ask.select("etcd.count", "etcd members:", quorum);
  await ask.select("controlPlane.count", "Control-plane nodes:", quorum);
  // max first: min and desired are then checked against the real bounds.
  await ask.number("workers.max", "Most workers the auto scaling group may run:");
  await ask.number("workers.min", "Fewest workers:");
  await ask.number("workers.desired", "Workers to start with:");

  const types = await offered(() => sources.instanceTypes(region));
  for (const [path, label] of [
    ["etcd.instanceType", "etcd"],
    ["controlPlane.instanceType", "control-plane"],
    ["workers.instanceType", "worker"],
  ] as const)
    await ask.instanceType(path, `Instance type of the ${label} machines:`, types);

  await ask.text("ssh.privateKeyFile", "SSH private key kx uses (its .pub is installed on the machines):");
  if (await ask.confirm("ssh.bastion.enabled", "Create a bastion host (the one SSH entry point; all machines stay private)?", true))
    await ask.list("ssh.bastion.allowedCidrs", "CIDRs allowed to reach the bastion over SSH, comma-separated (e.g. your office's public range):");

  if (!(await ask.confirm("images.build", "Build the node and etcd images with Packer?"))) {
    await ask.text("images.node", "AMI id of the node image:");
    await ask.text("images.etcd", "AMI id of the etcd image:");
  }

  await askAddons(ask, prompter, draft);
  await ask.list("ecr.repositories", "ECR repositories to create, comma-separated (empty for none):");
  await ask.confirm("rds.enabled", "Create a PostgreSQL database (RDS)?");

  const result = checkConfig(draft);
  if (result.success) return result.config;
  // Each answer was checked; a problem left here involves values nobody was asked about (initial).
  throw new ConfigError(result.issues.map((i) => ({ path: formatPath(i.path), message: i.message })));
}

async function askZones(ask: Questions, prompter: Prompter, region: string, zones: string[] | undefined): Promise<void> {
  if (!zones || zones.length < 3) {
    await ask.list("zones", "The 3 availability zones, comma-separated:", defaultZones(region));
    return;
  }
  const current = (ask.current("zones") as string[] | undefined) ?? zones.slice(0, 3);
  const picked = await prompter.checkbox({
    message: "Pick 3 availability zones:",
    choices: zones.map((z) => ({ value: z, checked: current.includes(z) })),
    validate: (value) => ask.problems("zones", value),
  });
  setIn(ask.draft, "zones", picked);
}

async function askAddons(ask: Questions, prompter: Prompter, draft: Draft): Promise<void> {
  const on = (name: string) => ask.current(`addons.${name}.enabled`) !== false;
  const apply = (target: Draft, picked: string[]) => {
    for (const { value } of ADDON_CHOICES) setIn(target, `addons.${value}.enabled`, picked.includes(value));
    return target;
  };
  const picked = await prompter.checkbox({
    message: "Add-ons to install:",
    choices: ADDON_CHOICES.map((c) => ({ ...c, checked: on(c.value) })),
    validate: (value) => problemsAt(apply(structuredClone(draft), value), ["addons"]),
  });
  apply(draft, picked);
  if (!picked.includes("istio")) return;
  await ask.select("addons.istio.mode", "Istio data plane:", [
    { value: "ambient", name: "ambient (no sidecars; recommended)" },
    { value: "sidecar", name: "sidecar" },
  ]);
  const tools = await ask.confirm("addons.istio.observability.prometheus", "Install Istio's observability tools (Prometheus, Grafana, Kiali, Jaeger)?", true);
  for (const tool of ISTIO_TOOLS) setIn(draft, `addons.istio.observability.${tool}`, tools);
}

/** Sources may fail (expired credentials, no network): the wizard then asks for text. */
async function offered(fetch: () => Promise<string[] | undefined>): Promise<string[] | undefined> {
  try {
    const list = await fetch();
    return list && list.length > 0 ? list : undefined;
  } catch {
    return undefined;
  }
}

/** One question per config path; each answer is checked against the whole draft. */
class Questions {
  readonly #defaults: Draft = schemaDefaults();
  constructor(
    readonly prompter: Prompter,
    readonly draft: Draft,
  ) {}

  current(path: string): unknown {
    return getIn(this.draft, path) ?? getIn(this.#defaults, path);
  }

  problems(path: string, value: unknown): string | true {
    return problemsAt(setIn(structuredClone(this.draft), path, value), [path]);
  }

  async text(path: string, message: string): Promise<string> {
    const current = this.current(path);
    const answer = await this.prompter.input({
      message,
      default: typeof current === "string" ? current : undefined,
      validate: (text) => (text.trim() === "" ? `${path} is required` : this.problems(path, text.trim())),
    });
    setIn(this.draft, path, answer.trim());
    return answer.trim();
  }

  async number(path: string, message: string): Promise<number> {
    const current = this.current(path);
    const answer = await this.prompter.input({
      message,
      default: typeof current === "number" ? String(current) : undefined,
      validate: (text) => (/^\d+$/.test(text.trim()) ? this.problems(path, Number(text.trim())) : `${path} must be a whole number`),
    });
    setIn(this.draft, path, Number(answer.trim()));
    return Number(answer.trim());
  }

  async list(path: string, message: string, fallback: string[] = []): Promise<string[]> {
    const current = this.current(path);
    const shown = Array.isArray(current) && current.length > 0 ? current : fallback;
    const answer = await this.prompter.input({
      message,
      default: shown.length > 0 ? shown.join(", ") : undefined,
      validate: (text) => this.problems(path, splitList(text)),
    });
    setIn(this.draft, path, splitList(answer));
    return splitList(answer);
  }

  async select<T>(path: string, message: string, choices: Choice<T>[]): Promise<T> {
    const answer = await this.prompter.select({ message, choices, default: this.current(path) as T });
    setIn(this.draft, path, answer);
    return answer;
  }

  async confirm(path: string, message: string, fallback = false): Promise<boolean> {
    const current = this.current(path);
    const answer = await this.prompter.confirm({ message, default: typeof current === "boolean" ? current : fallback });
    setIn(this.draft, path, answer);
    return answer;
  }

  async instanceType(path: string, message: string, offered: string[] | undefined): Promise<void> {
    if (!offered) {
      await this.text(path, message);
      return;
    }
    const current = this.current(path) as string;
    const names = offered.includes(current) ? offered : [current, ...offered];
    await this.select(path, message, names.map((value) => ({ value })));
  }
}

/** The messages of every problem at or under `prefixes`, or true. */
function problemsAt(draft: Draft, prefixes: string[]): string | true {
  const result = checkConfig(draft);
  if (result.success) return true;
  const under = (path: string) => prefixes.some((p) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`));
  const messages = result.issues
    .map((i) => ({ path: formatPath(i.path), message: i.message }))
    .filter((i) => under(i.path))
    .map((i) => (prefixes.includes(i.path) ? i.message : `${i.path}: ${i.message}`));
  return messages.length > 0 ? messages.join("; ") : true;
}

/** The schema's defaults, for the questions' suggested answers (the name has none). */
function schemaDefaults(): Draft {
  const { name: _placeholder, ...defaults } = clusterSchemaShape.parse({ apiVersion: API_VERSION, kind: KIND, name: "x" });
  return defaults;
}

function splitList(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function getIn(target: Draft, path: string): unknown {
  return path.split(".").reduce<unknown>((v, k) => (typeof v === "object" && v !== null ? (v as Draft)[k] : undefined), target);
}

function setIn(target: Draft, path: string, value: unknown): Draft {
  const keys = path.split(".");
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== "object" || node[key] === null) node[key] = {};
    node = node[key] as Draft;
  }
  node[keys[keys.length - 1]!] = value;
  return target;
}
