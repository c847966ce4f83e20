/**
 * `kx create cluster`: from a config file, or from the wizard at a terminal. Saves the
 * config it used next to the state (so CI can replay the run), then runs the create
 * workflow; a second run resumes where the first stopped.
 */
import type { GlobalOptions } from "../cli.js";
import { UsageError } from "../engine/errors.js";
import type { Io } from "../ui/io.js";
import { ioFor, splitList, stateDirFor } from "./support/common.js";
import { configFromFileOrWizard, confirmCreate } from "./support/create-config.js";
import { saveConfig } from "./support/saved-config.js";
import type { RunResult } from "../engine/run-result.js";
import { runWorkflow } from "./support/run-workflow.js";
import { clusterFacts } from "./support/cluster-facts.js";

export interface CreateOptions {
  file?: string;
  yes?: boolean;
  dryRun?: boolean;
  showFiles?: boolean;
  only?: string[];
  skip?: string[];
  concurrency?: string;
  forceUnlock?: boolean;
}

export async function run(options: CreateOptions, globals: Partial<GlobalOptions>, io: Io = ioFor(globals)): Promise<number> {
  if (options.showFiles && !options.dryRun) throw new UsageError("--show-files goes with --dry-run", "Run `kx create cluster --dry-run --show-files` to review the files first.");
  const { config, text, fromWizard } = await configFromFileOrWizard(options, globals, io);
  const stateDir = stateDirFor(globals, config.name);
  const workflow = {
    command: "create cluster",
    config,
    // Loaded after the config is valid: a bad flag or file is reported without loading every step.
    steps: async () => {
      const { createWorkflow, addonsNotInstalled } = await import("../workflows/create.js");
      const missing = addonsNotInstalled(config);
      if (missing.length) io.warn(`this version of kx does not install ${missing.join(", ")} yet: the config enables them, the create leaves them out (set their enabled: false to say so)`);
      return createWorkflow(config);
    },
    io,
    globals,
    dryRun: options.dryRun,
    showFiles: options.showFiles,
    only: splitList(options.only),
    skip: splitList(options.skip),
    concurrency: options.concurrency ? Number(options.concurrency) : undefined,
    forceUnlock: options.forceUnlock,
    afterRun: async (result: RunResult) => clusterFacts(config, result.state, stateDir),
  };
  if (fromWizard && !options.dryRun) {
    // The wizard shows the plan and asks before anything is created.
    await runWorkflow({ ...workflow, io: ioFor(globals), dryRun: true });
    if (!(await confirmCreate(config))) {
      io.info("Nothing was created. The config was not saved.");
      return 0;
    }
  }
  if (!options.dryRun) await saveConfig(stateDir, text);
  await runWorkflow(workflow);
  return 0;
}
