/**
 * Writes a file that holds a secret (a key, a kubeconfig): created 0600 under a temp
 * name in the same directory, fsynced, renamed over the target. A crash leaves either
 * the old file or the new one, never half a key; the temp name carries TEMP_MARK so
 * directory walks can skip leftovers.
 */
import { chmod, open, rename, rm } from "node:fs/promises";
import { randomBytes } from "node:crypto";

export const TEMP_MARK = ".tmp-";

export async function writePrivateFile(path: string, text: string): Promise<void> {
  const temp = `${path}${TEMP_MARK}${randomBytes(6).toString("hex")}`;
  const handle = await open(temp, "wx", 0o600);
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
  // An existing target keeps its mode through rename only for the temp's own: make sure.
  await chmod(path, 0o600);
}
