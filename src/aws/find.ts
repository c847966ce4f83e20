/**
 * Finding what a step created, by its tags, and refusing to adopt a resource that
 * differs in something AWS cannot change. kops' `fi.FieldIsImmutable`, for kx.
 */
import { KxError } from "../engine/errors.js";
import { stepFilters } from "./tags.js";

export type Filter = { Name: string; Values: string[] };

/**
 * The single resource a step owns, or undefined. Two live resources with the same
 * kx:id mean something outside kx duplicated it: an error naming both ids, since
 * picking one at random would leave the other behind.
 */
export function onlyOne<T>(found: readonly T[], what: string, idOf: (item: T) => string | undefined): T | undefined {
  if (found.length <= 1) return found[0];
  const ids = found.map((f) => idOf(f) ?? "?").join(", ");
  throw new KxError(`found ${found.length} ${what} tagged as the same kx resource: ${ids}`, {
    source: "user",
    hint: "Only one may exist. Delete the extra ones (check which one the cluster uses) and run again.",
  });
}

/** Filters for a step's resource, plus extra ones (e.g. a state other than deleted). */
export function ownedBy(cluster: string, stepId: string, ...extra: Filter[]): Filter[] {
  return [...stepFilters(cluster, stepId), ...extra];
}

/** A live resource differs in a field that cannot be changed in place. */
export class ImmutableFieldError extends KxError {
  constructor(resource: string, field: string, wanted: string, found: string) {
    super(`${resource}: ${field} ${wanted} wanted, ${found} found; ${field} cannot be changed on an existing resource`, {
      source: "user",
      hint:
        `Set ${field} back to ${found} in the config, or destroy the cluster (\`kx destroy\`) and create it again ` +
        `with ${wanted}.`,
    });
  }
}

/** Throws ImmutableFieldError when `found` is set and differs from `wanted`. */
export function checkImmutable(resource: string, field: string, wanted: string, found: string | undefined): void {
  if (found !== undefined && found !== wanted) throw new ImmutableFieldError(resource, field, wanted, found);
}

/** Pages through any AWS paginated call ("NextToken" or "Marker" style), collecting items. */
export async function collectPages<P, I>(
  fetch: (token: string | undefined) => Promise<P>,
  items: (page: P) => readonly I[] | undefined,
  nextToken: (page: P) => string | undefined,
): Promise<I[]> {
  const out: I[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    out.push(...(items(page) ?? []));
    token = nextToken(page);
  } while (token);
  return out;
}
