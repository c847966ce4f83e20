/**
 * Where `kx create cluster` gets its config: the file given with -f; otherwise, at a
 * terminal, the wizard; otherwise (--yes, CI, no terminal) an error naming every key
 * that has no default.
 */
import type { GlobalOptions } from "../../cli.js";
import { API_VERSION, KIND } from "../../config/constants.js";
import { loadConfigFile } from "../../config/load.js";
import type { ClusterConfig } from "../../config/schema.js";
import { missingKeys, missingKeysError } from "../../config/validate.js";
import type { Io } from "../../ui/io.js";

export interface ConfigSource {
  config: ClusterConfig;
  /** The text to save next to the state: the file as given, or the wizard's answers. */
  text: string;
  fromWizard: boolean;
}

export async function configFromFileOrWizard(
  options: { file?: string; yes?: boolean },
  globals: Partial<GlobalOptions>,
  io: Io,
): Promise<ConfigSource> {
  if (options.file) {
    const { config, warnings, text } = await loadConfigFile(options.file);
    for (const w of warnings) io.warn(`${w.path}${w.line ? ` (line ${w.line})` : ""}: ${w.message}`);
    return { config, text, fromWizard: false };
  }
  const seed: Record<string, unknown> = { apiVersion: API_VERSION, kind: KIND, ...(globals.region ? { region: globals.region } : {}) };
  if (!io.interactive || options.yes) throw missingKeysError(missingKeys(seed));

  const [{ runWizard }, { inquirerPrompter }, { renderSummary }, { serializeConfig }, { awsWizardSources }] = await Promise.all([
    import("../../config/wizard.js"),
    import("../../config/inquirer-prompter.js"),
    import("../../config/summary.js"),
    import("../../config/serialize.js"),
    import("../../workflows/wizard-sources.js"),
  ]);
  const config = await runWizard({ prompter: inquirerPrompter(), sources: awsWizardSources(globals.profile), initial: seed });
  io.result(renderSummary(config));
  return { config, text: serializeConfig(config), fromWizard: true };
}

/** The wizard's last question, after the plan was shown. */
export async function confirmCreate(config: ClusterConfig): Promise<boolean> {
  const { inquirerPrompter } = await import("../../config/inquirer-prompter.js");
  return inquirerPrompter().confirm({ message: `Create cluster ${config.name} as planned above?`, default: false });
}
