/** `kx config validate -f FILE`: every problem with its YAML path and line, or "FILE is valid". */
import type { GlobalOptions } from "../cli.js";
import { loadConfigFile } from "../config/load.js";
import { Io } from "../ui/io.js";

export interface ConfigValidateOptions {
  file: string;
}

export async function run(options: ConfigValidateOptions, globals: Partial<GlobalOptions> = {}, io: Io = new Io(globals)): Promise<number> {
  // A bad file throws ConfigError (exit 2); the CLI prints it.
  const { warnings } = await loadConfigFile(options.file);
  const where = (w: { path: string; line?: number }) => `${w.path}${w.line ? ` (line ${w.line})` : ""}`;
  if (io.mode === "json") {
    io.json({ type: "config-valid", file: options.file, warnings });
    return 0;
  }
  for (const w of warnings) io.warn(`${where(w)}: ${w.message}`);
  io.result(`${options.file} is valid`);
  return 0;
}
