/**
 * `kx destroy`: deletes everything the cluster owns (AWS), or resets its machines
 * (`hosts:`). Asks for the cluster's name unless --yes; refuses to run unattended
 * without --yes. Safe to re-run. On success the state is archived, so a later create
 * starts from nothing.
 */
import { rename } from "node:fs/promises";
import { join } from "node:path";
import type { GlobalOptions } from "../cli.js";
import { UsageError } from "../engine/errors.js";
import type { Io } from "../ui/io.js";
import { destroyWorkflow, isDestroyStep } from "../workflows/destroy.js";
import { ioFor, loadSelectedConfig, splitList, stateDirFor, type ClusterSelector } from "./support/common.js";
import { runWorkflow } from "./support/run-workflow.js";

export interface DestroyCommandOptions extends ClusterSelector {
  yes?: boolean;
  dryRun?: boolean;
  only?: string[];
  skip?: string[];
  concurrency?: string;
  forceUnlock?: boolean;
  /** Delete ECR repositories that still hold images. */
  forceEcr?: boolean;
  /** Skip the RDS final snapshot. */
  skipFinalSnapshot?: boolean;
}

export async function run(options: DestroyCommandOptions, globals: Partial<GlobalOptions>, io: Io = ioFor(globals)): Promise<number> {
  const { config } = await loadSelectedConfig(options, globals, io);
  if (!options.dryRun && !options.yes) await confirmByName(config.name, io);
  const stateDir = stateDirFor(globals, config.name);
  await runWorkflow({
    command: "destroy",
    config,
    steps: () => destroyWorkflow(config, { forceEcr: options.forceEcr, rdsFinalSnapshot: !options.skipFinalSnapshot }),
    // Every destroy step looks at the world again, whatever an earlier destroy recorded.
    replan: isDestroyStep,
    io,
    globals,
    dryRun: options.dryRun,
    only: splitList(options.only),
    skip: splitList(options.skip),
    concurrency: options.concurrency ? Number(options.concurrency) : undefined,
    forceUnlock: options.forceUnlock,
    // Archived before the summary, which names where the record of this cluster went.
    afterRun: async () => [
      ["Destroyed", `cluster ${config.name}`],
      ["State", `${await archiveState(stateDir)} (archived; a new create starts from nothing)`],
    ],
  });
  return 0;
}

async function confirmByName(cluster: string, io: Io): Promise<void> {
  if (!io.interactive) {
    throw new UsageError(`refusing to destroy cluster ${cluster} without confirmation`, "Pass --yes to destroy without being asked (CI), or run at a terminal.");
  }
  const { inquirerPrompter } = await import("../config/inquirer-prompter.js");
  const answer = await inquirerPrompter().input({ message: `This deletes every resource of cluster ${cluster}. Type the cluster's name to confirm:` });
  if (answer.trim() !== cluster) throw new UsageError(`"${answer.trim()}" is not "${cluster}": nothing was deleted`);
}

/** The state of a destroyed cluster is kept for the record, out of the way of a new create. */
async function archiveState(stateDir: string): Promise<string> {
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const archived = join(stateDir, `state.destroyed-${stamp}.json`);
  await rename(join(stateDir, "state.json"), archived).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== "ENOENT") throw e;
  });
  await rename(join(stateDir, "state.json.bak"), `${archived}.bak`).catch(() => undefined);
  return archived;
}
