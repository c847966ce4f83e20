// @ts-check
import { AwsError } from "./errors.js";
import { list } from "./form.js";

/**
 * EC2-style Describe filters: filters AND together, a filter's values OR together, and
 * values may use `*` and `?` wildcards. `tag:<key>`, `tag-key` and `tag-value` work for
 * every resource; the rest are named per resource type. An unknown filter name is an
 * error, as on AWS, so a typo in kx fails here instead of silently matching everything.
 */

/** @typedef {{ Name: string, Values: string[] }} Filter */
/** @typedef {Record<string, (r: any) => (string | number | boolean | undefined | null | (string | undefined)[])>} FilterFields */

/** EC2 `Filter.N.Name / Filter.N.Value.M` to `[{Name, Values}]`. @param {any} p decoded request @returns {Filter[]} */
export function ec2Filters(p) {
  return list(p.Filter).map((f) => ({ Name: String(f.Name), Values: list(f.Value).map(String) }));
}

/** @param {string} pattern */
function globToRegExp(pattern) {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${re}$`, "s");
}

/** @param {string} value @param {string[]} patterns */
export function matchesAny(value, patterns) {
  return patterns.some((p) => globToRegExp(p).test(value));
}

/**
 * @param {Filter[]} filters
 * @param {FilterFields} fields
 * @param {any} resource
 * @param {Map<string, string>} tags
 * @param {string} [errorCode]
 */
export function matchesFilters(filters, fields, resource, tags, errorCode = "InvalidParameterValue") {
  for (const f of filters) {
    /** @type {string[]} */
    let actual;
    if (f.Name.startsWith("tag:")) {
      const v = tags.get(f.Name.slice(4));
      actual = v === undefined ? [] : [v];
    } else if (f.Name === "tag-key") actual = [...tags.keys()];
    else if (f.Name === "tag-value") actual = [...tags.values()];
    else {
      const get = fields[f.Name];
      if (!get) throw new AwsError(errorCode, `The filter '${f.Name}' is invalid`);
      const v = get(resource);
      actual = (Array.isArray(v) ? v : [v]).filter((x) => x !== undefined && x !== null).map(String);
    }
    if (!actual.some((a) => matchesAny(a, f.Values))) return false;
  }
  return true;
}
