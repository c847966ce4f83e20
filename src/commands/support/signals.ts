/**
 * Ctrl-C and SIGTERM: the first asks the run to stop (no new step starts, steps in
 * flight finish their writes, the state is saved, exit 130); a second one exits at once
 * — the state as of the last finished step is already on disk.
 */
import { EXIT } from "../../engine/errors.js";

export interface InterruptHandle {
  readonly signal: AbortSignal;
  dispose(): void;
}

export function onInterrupt(notify: (message: string) => void): InterruptHandle {
  const controller = new AbortController();
  const handler = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      notify(`${sig} again: exiting now; the state of every finished step is saved`);
      process.exit(EXIT.interrupted);
    }
    notify(`${sig}: stopping — steps in flight finish their writes, then the state is saved (press Ctrl-C again to exit now)`);
    controller.abort(new Error(sig));
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    signal: controller.signal,
    dispose() {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    },
  };
}
