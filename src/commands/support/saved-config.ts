/** config.yaml next to the state: the config the cluster was last created, grown or upgraded with. */
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

export async function saveConfig(stateDir: string, text: string): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const path = join(stateDir, "config.yaml");
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, path);
}
