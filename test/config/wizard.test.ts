import { describe, expect, test } from "vitest";
import { parse as parseYamlObject } from "yaml";
import { parseConfig } from "../../src/config/load.js";
import { serializeConfig } from "../../src/config/serialize.js";
import { renderSummary } from "../../src/config/summary.js";
import { missingKeys, missingKeysError } from "../../src/config/validate.js";
import { runWizard, type WizardSources } from "../../src/config/wizard.js";
import { ConfigError, EXIT } from "../../src/engine/errors.js";
import { type Answer, ScriptedPrompter } from "./scripted-prompter.js";
import { aws, hosts } from "./fixtures.js";

const noAws: WizardSources = { zones: async () => undefined, instanceTypes: async () => undefined };

/** The questions of an AWS run in order, with the defaults taken unless overridden. */
function script(overrides: Partial<Record<string, Answer | Answer[]>> = {}): [RegExp, Answer][] {
  const questions: [string, RegExp, Answer][] = [
    ["name", /^Cluster name/, "lab"],
    ["region", /^AWS region/, "eu-west-1"],
    ["zones", /availability zones/, undefined],
    ["dns", /^DNS zone/, "lab.example.com"],
    ["version", /^Kubernetes version/, undefined],
    ["etcd", /^etcd members/, undefined],
    ["controlPlane", /^Control-plane nodes/, undefined],
    ["max", /^Most workers/, undefined],
    ["min", /^Fewest workers/, undefined],
    ["desired", /^Workers to start with/, undefined],
    ["etcdType", /^Instance type of the etcd/, undefined],
    ["cpType", /^Instance type of the control-plane/, undefined],
    ["workerType", /^Instance type of the worker/, undefined],
    ["key", /^SSH private key/, undefined],
    ["bastion", /^Create a bastion/, undefined],
    ["cidrs", /^CIDRs allowed/, "203.0.113.0/24"],
    ["build", /^Build the node and etcd images/, undefined],
    ["addons", /^Add-ons/, undefined],
    ["istioMode", /^Istio data plane/, undefined],
    ["istioTools", /observability tools/, undefined],
    ["ecr", /^ECR repositories/, undefined],
    ["rds", /PostgreSQL/, undefined],
  ];
  return questions.flatMap(([key, pattern, answer]) => {
    const given = key in overrides ? overrides[key] : answer;
    const answers = Array.isArray(given) && key !== "addons" && key !== "zones" ? given : [given];
    return answers.map((a): [RegExp, Answer] => [pattern, a as Answer]);
  });
}

describe("the wizard", () => {
  test("with no AWS credentials: typed answers, schema defaults, a config that validates and round-trips", async () => {
    const prompter = new ScriptedPrompter(script({ ecr: "lab/app, lab/web" }));
    const config = await runWizard({ prompter, sources: noAws });
    expect(prompter.remaining).toBe(0);
    expect(prompter.rejected).toEqual([]);
    expect(config).toMatchObject({
      name: "lab",
      region: "eu-west-1",
      zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
      dns: { zone: "lab.example.com", apiName: "api" },
      kubernetes: { version: "1.36.1" },
      etcd: { count: 3, instanceType: "t3.medium" },
      controlPlane: { count: 3, instanceType: "t3.large" },
      workers: { min: 3, desired: 3, max: 6, instanceType: "t3.large" },
      ssh: { privateKeyFile: "~/.ssh/id_ed25519", bastion: { enabled: true, allowedCidrs: ["203.0.113.0/24"] } },
      images: { build: true },
      ecr: { repositories: ["lab/app", "lab/web"] },
      rds: { enabled: false },
    });
    expect(config.network.privateSubnets).toEqual(["10.0.64.0/18", "10.0.128.0/18", "10.0.192.0/18"]);
    expect(parseConfig(serializeConfig(config)).config).toEqual(config);
  });

  test("zones and instance types are offered from AWS when the sources have credentials", async () => {
    const sources: WizardSources = {
      zones: async (region) => [`${region}a`, `${region}b`, `${region}c`, `${region}d`],
      instanceTypes: async () => ["m7i.large", "t3.medium", "t3.large"],
    };
    const prompter = new ScriptedPrompter(
      script({ region: "us-east-2", zones: ["us-east-2b", "us-east-2c", "us-east-2d"], workerType: "m7i.large" }),
    );
    const config = await runWizard({ prompter, sources });
    expect(prompter.offered["Pick 3 availability zones:"]).toEqual(["us-east-2a", "us-east-2b", "us-east-2c", "us-east-2d"]);
    expect(prompter.offered["Instance type of the worker machines:"]).toEqual(["m7i.large", "t3.medium", "t3.large"]);
    expect(config.zones).toEqual(["us-east-2b", "us-east-2c", "us-east-2d"]);
    expect(config.workers.instanceType).toBe("m7i.large");
    expect(config.etcd.instanceType).toBe("t3.medium");
  });

  test("a source that fails (expired credentials) falls back to typed answers", async () => {
    const failing: WizardSources = {
      zones: async () => Promise.reject(new Error("ExpiredToken")),
      instanceTypes: async () => Promise.reject(new Error("ExpiredToken")),
    };
    const prompter = new ScriptedPrompter(script({ zones: "eu-west-1b eu-west-1c eu-west-1a" }));
    const config = await runWizard({ prompter, sources: failing });
    expect(config.zones).toEqual(["eu-west-1b", "eu-west-1c", "eu-west-1a"]);
    expect(Object.keys(prompter.offered)).not.toContain("Pick 3 availability zones:");
  });

  test("each answer is checked with the schema's rules and asked again with the message", async () => {
    const sources: WizardSources = { zones: async (r) => [`${r}a`, `${r}b`, `${r}c`], instanceTypes: async () => undefined };
    const prompter = new ScriptedPrompter(
      script({
        name: ["Lab_1", "lab"],
        region: ["europe", "eu-west-1"],
        zones: undefined,
        version: ["1.30.0", "1.37.2"],
        max: ["lots", "4"],
        min: ["5", "2"],
        desired: ["9", "4"],
        cidrs: ["", "203.0.113.7/24", "203.0.113.0/24"],
        ecr: ["App", "app"],
      }).flatMap((entry): [RegExp, Answer][] =>
        // The add-ons question: first Metricbeat without EFK, then the defaults.
        entry[0].source === "^Add-ons" ? [[entry[0], ["cilium", "metricbeat"]], entry] : [entry],
      ),
    );
    const config = await runWizard({ prompter, sources });
    expect(prompter.remaining).toBe(0);
    expect(prompter.rejected.map((r) => r.problem)).toEqual([
      "must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit",
      "must be an AWS region such as eu-west-1",
      "Kubernetes 1.30 is not supported: kx supports 1.35 to 1.37 (default 1.36.1)",
      "workers.max must be a whole number",
      "must not be greater than workers.max (4)",
      "must not be greater than workers.max (4)",
      "must list at least one CIDR allowed to reach the bastion (e.g. your office's public range 203.0.113.0/24) while ssh.bastion.enabled is true",
      'ssh.bastion.allowedCidrs[0]: "203.0.113.7/24" has host bits set; the block is 203.0.113.0/24',
      "addons.metricbeat.enabled: needs addons.efk.enabled: true (Metricbeat ships to the EFK stack's Elasticsearch)",
      "ecr.repositories[0]: must be an ECR repository name: lower-case letters and digits, separated by '.', '_', '-' or '/'",
    ]);
    expect(config.workers).toMatchObject({ min: 2, desired: 4, max: 4 });
    expect(config.kubernetes.version).toBe("1.37.2");
  });

  test("switching things off: no bastion, given AMIs, no Istio, RDS on", async () => {
    const prompter = new ScriptedPrompter(
      script({ bastion: false, cidrs: [], build: false, addons: ["cilium", "ebsCsi", "efk"], istioMode: [], istioTools: [], rds: true }).flatMap(
        (entry): [RegExp, Answer][] =>
          entry[0].source === "^Build the node and etcd images"
            ? [entry, [/^AMI id of the node/, "ami-0123456789abcdef0"], [/^AMI id of the etcd/, "ami-0fedcba9876543210"]]
            : [entry],
      ),
    );
    const config = await runWizard({ prompter, sources: noAws });
    expect(prompter.remaining).toBe(0);
    expect(config.ssh.bastion.enabled).toBe(false);
    expect(config.images).toMatchObject({ build: false, node: "ami-0123456789abcdef0", etcd: "ami-0fedcba9876543210" });
    expect(config.addons.istio.enabled).toBe(false);
    expect(config.addons.istio.observability).toEqual({ prometheus: false, grafana: false, kiali: false, jaeger: false });
    expect(config.addons.metricbeat.enabled).toBe(false);
    expect(config.addons.cloudController.enabled).toBe(true);
    expect(config.rds.enabled).toBe(true);
  });

  test("initial values are the suggested answers", async () => {
    const prompter = new ScriptedPrompter(script({ name: undefined, region: undefined, dns: undefined, cidrs: undefined }));
    const config = await runWizard({
      prompter,
      sources: noAws,
      initial: { name: "prod", region: "ap-south-1", dns: { zone: "prod.example.org" }, ssh: { bastion: { allowedCidrs: ["198.51.100.0/24"] } } },
    });
    expect(config).toMatchObject({ name: "prod", region: "ap-south-1", zones: ["ap-south-1a", "ap-south-1b", "ap-south-1c"] });
    expect(config.ssh.bastion.allowedCidrs).toEqual(["198.51.100.0/24"]);
  });
});

describe("missingKeys (for --yes, CI and no TTY)", () => {
  test("lists every value that has no default and was not given", () => {
    expect(missingKeys({})).toEqual(["apiVersion", "kind", "name", "region", "dns.zone", "ssh.bastion.allowedCidrs"]);
    expect(missingKeys({ apiVersion: "kx.dev/v1alpha1", kind: "Cluster", name: "lab", images: { build: false }, dns: {} })).toEqual([
      "dns.zone",
      "region",
      "images.node",
      "images.etcd",
      "ssh.bastion.allowedCidrs",
    ]);
  });

  test("is empty for a complete config, and ignores values that are wrong rather than missing", () => {
    expect(missingKeys(parseYamlObject(aws()))).toEqual([]);
    expect(missingKeys(parseYamlObject(aws("etcd: { count: 2 }\n")))).toEqual([]);
    expect(missingKeys(parseYamlObject(hosts("  - { name: n, address: db.lan, roles: [worker] }\n")))).toEqual(["hosts[2].privateAddress"]);
  });

  test("the error names every missing key and exits 2", () => {
    const error = missingKeysError(["region", "dns.zone"], "cluster.yaml");
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.exitCode).toBe(EXIT.usage);
    expect(error.message).toBe(
      "2 problems in cluster.yaml:\n" +
        "  - region: is required and has no default; set it in the config file (or run kx at a terminal to be asked)\n" +
        "  - dns.zone: is required and has no default; set it in the config file (or run kx at a terminal to be asked)",
    );
  });
});

describe("summary and serialization", () => {
  test("the summary is a short table of the chosen config", () => {
    const summary = renderSummary(parseConfig(aws("ecr: { repositories: [app] }\n")).config);
    expect(summary.split("\n").filter(Boolean)).toEqual([
      "Cluster        lab, Kubernetes 1.36.1",
      "Region         eu-west-1 (eu-west-1a, eu-west-1b, eu-west-1c)",
      "VPC            10.0.0.0/16; public 10.0.0.0/20, 10.0.16.0/20, 10.0.32.0/20; private 10.0.64.0/18, 10.0.128.0/18, 10.0.192.0/18",
      "etcd           3 × t3.medium",
      "Control plane  3 × t3.large",
      "Workers        3 × t3.large (min 3, max 6)",
      "Images         built with Packer",
      "SSH            ubuntu, key ~/.ssh/id_ed25519; bastion open to 203.0.113.0/24",
      "API            api.lab.example.com",
      "ECR            app",
      "RDS            none",
      "Network        pods 10.244.0.0/16, services 10.96.0.0/12",
      "Add-ons        cloud-controller 0.0.9, cilium 1.19.4, ebs-csi 2.50.0, istio 1.30.3 (ambient, prometheus, grafana, kiali, jaeger), efk 3.5.0, metricbeat 9.2.0",
    ]);
  });

  test("a hosts: cluster's summary lists its hosts", () => {
    const summary = renderSummary(parseConfig(hosts()).config);
    expect(summary).toContain("Hosts    node-1 10.1.0.1 (etcd, control-plane)\n         node-2 10.1.0.2 (worker)\n");
    expect(summary).toContain("Add-ons  cilium 1.19.4,");
  });

  test.each([
    ["an AWS cluster", aws("addons: { istio: { enabled: false } }\nkubernetes: { version: v1.35.3 }\n")],
    ["a hosts: cluster", hosts()],
    ["a cluster with RDS and given AMIs", aws("rds: { enabled: true }\nimages: { build: false, node: ami-0123456789abcdef0, etcd: ami-0123456789abcdef1 }\n")],
  ])("serializeConfig round-trips %s through parseConfig", (_name, text) => {
    const { config } = parseConfig(text);
    const yaml = serializeConfig(config);
    expect(yaml.startsWith("# The cluster config kx used")).toBe(true);
    expect(parseConfig(yaml).config).toEqual(config);
  });
});
