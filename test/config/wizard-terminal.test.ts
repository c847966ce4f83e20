/** The wizard over the real inquirer prompts, driven through injected streams. */
import { describe, expect, test } from "vitest";
import { inquirerPrompter } from "../../src/config/inquirer-prompter.js";
import { parseConfig } from "../../src/config/load.js";
import { serializeConfig } from "../../src/config/serialize.js";
import { runWizard, type WizardSources } from "../../src/config/wizard.js";
import { EXIT, InterruptedError } from "../../src/engine/errors.js";
import { reportError } from "../../src/ui/report-error.js";
import { FakeTerminal, KEY } from "./terminal.js";
import { PassThrough } from "node:stream";

const noAws: WizardSources = { zones: async () => undefined, instanceTypes: async () => undefined };
const { enter, down, clearLine, ctrlC } = KEY;

describe("the wizard at a terminal (inquirer over streams)", () => {
  test("a full run: defaults by Enter, a rejected answer re-asked with its message", async () => {
    const term = new FakeTerminal();
    const result = runWizard({ prompter: inquirerPrompter({ input: term.input, output: term.output }), sources: noAws });
    await term.type("Cluster name", `Lab_1${enter}`);
    await term.type("must be a DNS-1123 label", `${clearLine}lab${enter}`);
    await term.type("AWS region", `eu-west-1${enter}`);
    await term.type("The 3 availability zones", enter);
    await term.type("DNS zone of the cluster", `lab.example.com${enter}`);
    await term.type("Kubernetes version", enter);
    await term.type("etcd members", enter);
    await term.type("Control-plane nodes", enter);
    await term.type("Most workers", `${clearLine}9${enter}`);
    await term.type("Fewest workers", enter);
    await term.type("Workers to start with", `${clearLine}12${enter}`);
    await term.type("must not be greater than workers.max (9)", `${clearLine}5${enter}`);
    await term.type("Instance type of the etcd", enter);
    await term.type("Instance type of the control-plane", enter);
    await term.type("Instance type of the worker", enter);
    await term.type("SSH private key", enter);
    await term.type("Create a bastion", enter);
    await term.type("CIDRs allowed to reach the bastion", `203.0.113.0/24${enter}`);
    await term.type("Build the node and etcd images", enter);
    await term.type("Add-ons to install", enter);
    await term.type("Istio data plane", `${down}${enter}`);
    await term.type("observability tools", `n${enter}`);
    await term.type("ECR repositories", enter);
    await term.type("PostgreSQL", `y${enter}`);
    const config = await result;

    expect(config).toMatchObject({
      name: "lab",
      zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
      workers: { min: 3, desired: 5, max: 9 },
      ssh: { bastion: { enabled: true, allowedCidrs: ["203.0.113.0/24"] } },
      addons: { istio: { enabled: true, mode: "sidecar", observability: { prometheus: false, grafana: false, kiali: false, jaeger: false } } },
      rds: { enabled: true },
    });
    expect(parseConfig(serializeConfig(config)).config).toEqual(config);
  });

  test("Ctrl-C is an InterruptedError that exits 130", async () => {
    const term = new FakeTerminal();
    const result = runWizard({ prompter: inquirerPrompter({ input: term.input, output: term.output }), sources: noAws });
    await term.type("Cluster name", `lab${enter}`);
    await term.type("AWS region", ctrlC);
    const error = await result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).message).toBe("interrupted; nothing was written");
    const stderr = new PassThrough();
    expect(reportError(error, {}, stderr)).toBe(EXIT.interrupted);
  });
});
