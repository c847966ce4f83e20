/** `kx config init [-f FILE] [--force]`: the commented example config, to stdout or a file. */
import { writeFile } from "node:fs/promises";
import type { GlobalOptions } from "../cli.js";
import { EXAMPLE_CONFIG } from "../config/example.js";
import { expandHome } from "../config/load.js";
import { UsageError } from "../engine/errors.js";
import { Io } from "../ui/io.js";

export interface ConfigInitOptions {
  file?: string;
  force?: boolean;
}

export async function run(options: ConfigInitOptions, globals: Partial<GlobalOptions> = {}, io: Io = new Io(globals)): Promise<number> {
  if (!options.file) {
    io.stdout.write(EXAMPLE_CONFIG);
    return 0;
  }
  try {
    // "wx" refuses an existing file in the same call that creates it: no check-then-write race.
    await writeFile(expandHome(options.file), EXAMPLE_CONFIG, { flag: options.force ? "w" : "wx", mode: 0o644 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw new UsageError(`${options.file} already exists`, "Pass --force to overwrite it, or choose another file with -f.");
    if (code === "ENOENT") throw new UsageError(`cannot write ${options.file}: its directory does not exist`);
    throw new UsageError(`cannot write ${options.file}: ${(error as Error).message}`);
  }
  io.info(`wrote ${options.file}; edit it, then check it with \`kx config validate -f ${options.file}\``);
  return 0;
}
