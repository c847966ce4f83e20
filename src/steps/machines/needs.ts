/** Reading what upstream steps produced, with one clear error when a step did not run. */
import { KxError } from "../../engine/errors.js";
import type { JsonValue } from "../../engine/types.js";
import type { KxContext } from "../context.js";

/** A string output of an upstream step; throws naming the step and the key when absent. */
export function needString(ctx: KxContext, stepId: string, key: string): string {
  const value = ctx.outputs(stepId)?.[key];
  if (typeof value !== "string" || value === "") {
    throw new KxError(`step ${stepId} has no output "${key}" yet`, {
      hint: `Run the steps it depends on first (kx create cluster runs them in order), or check that ${stepId} finished.`,
    });
  }
  return value;
}

/** An output that may not exist yet (planning a fresh create). */
export function maybeString(ctx: KxContext, stepId: string, key: string): string | undefined {
  const value: JsonValue | undefined = ctx.outputs(stepId)?.[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}
