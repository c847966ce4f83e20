import type { Io, ProgressRenderer } from "./io.js";
import { JsonProgress, PlainProgress } from "./progress-lines.js";

/** The renderer for the Io's mode; listr2 is loaded only on a terminal. */
export async function progressRenderer(io: Io): Promise<ProgressRenderer> {
  if (io.mode === "json") return new JsonProgress(io);
  if (io.mode === "plain") return new PlainProgress(io);
  const { TtyProgress } = await import("./progress-tty.js");
  return new TtyProgress(io);
}
