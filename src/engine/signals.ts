/**
 * SIGINT/SIGTERM → an AbortSignal for the runner. The first signal aborts (the runner
 * starts nothing new, lets steps in flight end, saves, throws InterruptedError); a second
 * one means the user will not wait, and by default exits 130 at once.
 */
import { EXIT } from "./errors.js";

export interface InterruptWatch {
  readonly signal: AbortSignal;
  /** Removes the handlers; call when the run is over. */
  dispose(): void;
}

export interface InterruptOptions {
  signals?: NodeJS.Signals[];
  /** Told of the first signal, e.g. to print "stopping after the steps in flight…". */
  onFirst?: (signal: NodeJS.Signals) => void;
  /** Called on the second signal; default: exit 130 immediately. */
  onSecond?: (signal: NodeJS.Signals) => void;
}

export function watchInterrupts(options: InterruptOptions = {}): InterruptWatch {
  const controller = new AbortController();
  const signals = options.signals ?? ["SIGINT", "SIGTERM"];
  const onSecond = options.onSecond ?? (() => process.exit(EXIT.interrupted));
  const handle = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) return onSecond(signal);
    controller.abort(new Error(`interrupted by ${signal}`));
    options.onFirst?.(signal);
  };
  const handlers = signals.map((s) => [s, () => handle(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const [s, h] of handlers) process.off(s, h);
    },
  };
}
