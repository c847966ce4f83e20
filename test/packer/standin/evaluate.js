// @ts-check
/**
 * Evaluating the expressions of kx's templates the way Packer would: variables,
 * locals (each once, cycles refused), path.root, data sources, and the functions the
 * templates call. An unknown reference or function is an error, as it is in Packer.
 */

/** @typedef {import("./hcl.js").Expr} Expr */
/** @typedef {string | number | boolean | Value[] | { [key: string]: Value }} Value */

export class EvalError extends Error {}

/**
 * @param {{ variables: Map<string, Value>, locals: Map<string, Expr>, pathRoot: string, data: Map<string, Record<string, Value>>, now: Date }} scope
 */
export function evaluator(scope) {
  /** @type {Map<string, Value>} */
  const localValues = new Map();
  /** @type {Set<string>} */
  const evaluating = new Set();

  /** @param {string[]} path @returns {Value} */
  function reference(path) {
    const [root, name, ...rest] = path;
    if (root === "var") {
      if (!name || !scope.variables.has(name)) throw new EvalError(`Reference to undeclared input variable "${name}"`);
      return /** @type {Value} */ (scope.variables.get(name));
    }
    if (root === "local") {
      if (!name || !scope.locals.has(name)) throw new EvalError(`Reference to undeclared local value "${name}"`);
      if (!localValues.has(name)) {
        if (evaluating.has(name)) throw new EvalError(`Cycle in local values at "${name}"`);
        evaluating.add(name);
        localValues.set(name, evaluate(/** @type {Expr} */ (scope.locals.get(name))));
        evaluating.delete(name);
      }
      return /** @type {Value} */ (localValues.get(name));
    }
    if (root === "path" && name === "root") return scope.pathRoot;
    if (root === "data") {
      const [dataName, attr] = rest;
      const source = scope.data.get(`${name}.${dataName}`);
      if (!source) throw new EvalError(`Reference to undeclared data source "data.${name}.${dataName}"`);
      if (!attr || !(attr in source)) throw new EvalError(`Unsupported attribute "${attr}" of data.${name}.${dataName}`);
      return source[attr];
    }
    throw new EvalError(`Unknown reference ${path.join(".")}`);
  }

  /** @type {Record<string, (args: Expr[]) => Value>} */
  const functions = {
    substr: (args) => {
      const [s, offset, length] = args.map(evaluate);
      if (typeof s !== "string" || typeof offset !== "number" || typeof length !== "number") throw new EvalError("substr(string, offset, length)");
      return length < 0 ? s.slice(offset) : s.slice(offset, offset + length);
    },
    merge: (args) => Object.assign({}, ...args.map((a) => {
      const v = evaluate(a);
      if (typeof v !== "object" || Array.isArray(v)) throw new EvalError("merge() takes maps");
      return v;
    })),
    timestamp: () => scope.now.toISOString().replace(/\.\d{3}Z$/, "Z"),
    formatdate: (args) => {
      const [format, ts] = args.map(evaluate);
      if (typeof format !== "string" || typeof ts !== "string") throw new EvalError("formatdate(format, timestamp)");
      const d = new Date(ts);
      const pad = (n) => String(n).padStart(2, "0");
      return format
        .replace("YYYY", String(d.getUTCFullYear()))
        .replace("MM", pad(d.getUTCMonth() + 1))
        .replace("DD", pad(d.getUTCDate()))
        .replace("hh", pad(d.getUTCHours()))
        .replace("mm", pad(d.getUTCMinutes()))
        .replace("ss", pad(d.getUTCSeconds()));
    },
    regex: (args) => {
      const [pattern, s] = args.map(evaluate);
      if (typeof pattern !== "string" || typeof s !== "string") throw new EvalError("regex(pattern, string)");
      const m = new RegExp(pattern).exec(s);
      if (!m) throw new EvalError("pattern did not match any part of the given string");
      return m[0];
    },
    can: (args) => {
      try {
        evaluate(/** @type {Expr} */ (args[0]));
        return true;
      } catch (e) {
        if (e instanceof EvalError) return false;
        throw e;
      }
    },
  };

  /** @param {Expr} expr @returns {Value} */
  function evaluate(expr) {
    switch (expr.kind) {
      case "string":
        return expr.parts.map((p) => (typeof p === "string" ? p : scalar(evaluate(p)))).join("");
      case "number":
      case "bool":
        return expr.value;
      case "ref":
        return reference(expr.path);
      case "call": {
        const fn = functions[expr.name];
        if (!fn) throw new EvalError(`Call to unknown function "${expr.name}"`);
        return fn(expr.args);
      }
      case "list":
        return expr.items.map(evaluate);
      case "map":
        return Object.fromEntries(expr.entries.map((e) => [e.key, evaluate(e.value)]));
    }
  }
  return evaluate;
}

/** @param {Value} v */
function scalar(v) {
  if (typeof v === "object") throw new EvalError("Invalid template interpolation value: a list or map cannot be part of a string");
  return String(v);
}
