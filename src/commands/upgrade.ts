/**
 * `kx upgrade --to 1.37.1`: takes a running cluster to a newer Kubernetes, one minor (or
 * patch) at a time, as kubeadm does it: the control-plane nodes one after the other, the
 * API served throughout by the others; then the workers, drained and given back one
 * `--max-unavailable` batch at a time. On AWS the node image of the new version is built
 * first, and the worker launch template moves to it once the control plane is upgraded.
 *
 * Without --to, the target is the config's kubernetes.version (edit it, then upgrade).
 * Resumable: a stopped upgrade is run again and continues at the node it stopped on. On
 * success the cluster's saved config.yaml carries the new version.
 */
import { stringify } from "yaml";
import type { GlobalOptions } from "../cli.js";
import { UsageError } from "../engine/errors.js";
import type { Io } from "../ui/io.js";
import { parseVersion, withV } from "../steps/upgrade/versions.js";
import { upgradeWorkflow } from "../workflows/upgrade.js";
import { countOption } from "./support/count-option.js";
import { ioFor, loadClusterWithState } from "./support/common.js";
import { runWorkflow } from "./support/run-workflow.js";
import { saveConfig } from "./support/saved-config.js";

export interface UpgradeOptions {
  file?: string;
  cluster?: string;
  to?: string;
  maxUnavailable?: string;
  yes?: boolean;
  dryRun?: boolean;
  forceUnlock?: boolean;
}

export async function run(options: UpgradeOptions, globals: Partial<GlobalOptions>, io: Io = ioFor(globals)): Promise<number> {
  const { config: loaded, stateDir, state } = await loadClusterWithState(options, globals, io);
  const target = parseVersion(options.to ?? loaded.kubernetes.version, options.to ? "--to" : "kubernetes.version");
  const maxUnavailable = countOption("--max-unavailable", options.maxUnavailable, "workers drained at once") ?? 1;
  const version = `${target.major}.${target.minor}.${target.patch}`;
  const config = { ...loaded, kubernetes: { ...loaded.kubernetes, version } };
  if (!options.dryRun && !options.yes) await confirmUpgrade(config.name, withV(target), io);
  if (config.images.node && config.images.node === state.steps["images/node"]?.outputs?.amiId) {
    io.warn(`images.node (${config.images.node}) is the AMI the workers run now: workers the group starts later boot it at the old version; give images.node an AMI with kubelet ${withV(target)}`);
  }

  await runWorkflow({
    command: "upgrade",
    config,
    steps: (session) => upgradeWorkflow(config, session, target, { maxUnavailable }),
    io,
    globals,
    dryRun: options.dryRun,
    forceUnlock: options.forceUnlock,
    afterRun: async () => {
      if (loaded.kubernetes.version !== version) {
        await saveConfig(stateDir, stringify(config));
        if (options.file) io.warn(`set kubernetes.version: ${version} in ${options.file} too: a create with that file would build images of the old version`);
      }
      return [["Kubernetes", `${withV(target)} on every node`]];
    },
  });
  return 0;
}

async function confirmUpgrade(cluster: string, version: string, io: Io): Promise<void> {
  if (!io.interactive) {
    throw new UsageError(`refusing to upgrade cluster ${cluster} without confirmation`, "Pass --yes to upgrade without being asked (CI), or run at a terminal. --dry-run shows the plan.");
  }
  const { inquirerPrompter } = await import("../config/inquirer-prompter.js");
  const ok = await inquirerPrompter().confirm({ message: `Upgrade cluster ${cluster} to Kubernetes ${version}, node by node (each drained first)?`, default: false });
  if (!ok) throw new UsageError("upgrade cancelled: nothing was changed");
}
