/**
 * A KxContext outside a run (status, kubeconfig, ssh, join's helpers): outputs come from
 * the saved state, log lines go to the Io, nothing is planned or saved by the engine.
 */
import type { EngineServices } from "../engine/runner.js";
import { getStateData, setStateData } from "../engine/state.js";
import type { Step } from "../engine/types.js";
import type { KxContext } from "../steps/context.js";
import type { Io } from "../ui/io.js";
import type { Session } from "./session.js";

export function contextFromState(session: Session, io: Io, signal: AbortSignal = new AbortController().signal): KxContext {
  const state = session.state;
  const engine: EngineServices = {
    dryRun: false,
    signal,
    outputs: (id) => state.steps[id]?.status === "done" ? state.steps[id]?.outputs : undefined,
    log: {
      info: (m) => io.info(m),
      debug: (m) => io.debug(m),
      warn: (m) => io.warn(m),
      progress: (subtask, m) => io.debug(`[${subtask}] ${m}`),
    },
    data: {
      get: (key) => getStateData(state, key),
      set: async (key, value) => setStateData(state, key, value),
    },
  };
  const step: Step<KxContext> = { id: "kx/offline", title: "offline", needs: [], plan: async () => [], apply: async () => ({}) };
  return session.makeContext(step, engine);
}
