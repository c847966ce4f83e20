/**
 * The kops task shape for one AWS resource: find it by its tags, compare it with what is
 * wanted, create it when absent, fix what may change, refuse what may not. plan() and
 * apply() share the same find and compare, so a second run after a finished apply plans
 * nothing and writes nothing.
 */
import type { AwsClients } from "./clients.js";
import type { Change, EngineContext, Outputs, Step } from "../engine/types.js";
import { KxError } from "../engine/errors.js";

/** What an AWS resource step needs of the context (KxContext satisfies it). */
export interface AwsStepContext extends EngineContext {
  readonly aws: AwsClients;
  readonly cluster: string;
}

export interface ResourceSpec<C extends AwsStepContext, F> {
  id: string;
  title: string;
  needs: string[];
  inputs?(ctx: C): unknown;
  /** The plan's target, e.g. "vpc lab" or "subnet public eu-west-1a". */
  target: string;
  /** The plan's detail for a create, e.g. the CIDR. */
  detail?(ctx: C): string | undefined;
  /** The live resource this step owns, or undefined. Reads only. */
  find(ctx: C): Promise<F | undefined>;
  /**
   * What differs between the live resource and the wanted one, as update changes.
   * Throws ImmutableFieldError for a difference that cannot be fixed in place.
   */
  drift?(ctx: C, found: F): Promise<Change[]>;
  /** Creates the resource (tags in the create call, a ClientToken where the API takes one). */
  create(ctx: C): Promise<F>;
  /** Fixes the drift just computed; returns the resource as it is now. */
  update?(ctx: C, found: F, drift: Change[]): Promise<F>;
  /** Waits until the resource is usable (NAT gateway available); returns its final form. */
  ready?(ctx: C, found: F): Promise<F>;
  outputs(found: F, ctx: C): Outputs;
}

export function resourceStep<C extends AwsStepContext, F>(spec: ResourceSpec<C, F>): Step<C> {
  const createChange = (ctx: C): Change => {
    const detail = spec.detail?.(ctx);
    return { action: "create", target: spec.target, ...(detail ? { detail } : {}) };
  };
  return {
    id: spec.id,
    title: spec.title,
    needs: spec.needs,
    ...(spec.inputs ? { inputs: spec.inputs } : {}),
    async plan(ctx) {
      if (!ctx.aws.live) return [createChange(ctx)];
      const found = await spec.find(ctx);
      if (!found) return [createChange(ctx)];
      return (await spec.drift?.(ctx, found)) ?? [];
    },
    // The changes handed in are not trusted: the world may have moved since plan, so
    // apply finds and compares again and does only what is still needed.
    async apply(ctx) {
      let found = await spec.find(ctx);
      if (!found) {
        found = await spec.create(ctx);
        ctx.log.info(`created ${spec.target}`);
      }
      const drift = (await spec.drift?.(ctx, found)) ?? [];
      if (drift.length > 0) {
        if (!spec.update) throw new KxError(`internal error: ${spec.id} reported drift but cannot update`);
        found = await spec.update(ctx, found, drift);
        for (const change of drift) ctx.log.info(`updated ${change.target}${change.detail ? `: ${change.detail}` : ""}`);
      }
      if (spec.ready) found = await spec.ready(ctx, found);
      return spec.outputs(found, ctx);
    },
  };
}

/** The outputs a step needs from an upstream step; an internal error when that step has not run. */
export function requireOutput(ctx: EngineContext, stepId: string, key: string): string {
  const value = ctx.outputs(stepId)?.[key];
  if (typeof value !== "string" || value.length === 0) {
    throw new KxError(`internal error: step ${stepId} has no output "${key}" (it must run first)`);
  }
  return value;
}

/** An upstream output when known (planning may run before upstream steps ever did). */
export function optionalOutput(ctx: EngineContext, stepId: string, key: string): string | undefined {
  const value = ctx.outputs(stepId)?.[key];
  return typeof value === "string" && value.length > 0 ? value : undefined;
}
