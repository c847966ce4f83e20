// @ts-check
/**
 * helm's --values handling: each file read and parsed as a YAML mapping, merged in order
 * (later files win, maps merged deeply, everything else replaced: pkg/cli/values'
 * mergeMaps), then checked against the chart's values.schema.json.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv from "ajv";
import { parse } from "yaml";

const SCHEMAS = join(dirname(fileURLToPath(import.meta.url)), "../../schemas");

const isMap = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** @returns {Record<string, any>} */
export function mergeMaps(a, b) {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isMap(v) && isMap(out[k]) ? mergeMaps(out[k], v) : v;
  return out;
}

/** Go's name for a JSON value's type, as sigs.k8s.io/yaml reports it. */
const goType = (v) => (Array.isArray(v) ? "array" : v === null ? "null" : typeof v === "object" ? "object" : typeof v);

/**
 * Reads and merges --values files; throws helm's error for a missing or non-mapping file.
 * Parsed as YAML 1.2 (the yaml package); helm's reader is YAML 1.1, which differs only for
 * unquoted yes/no/on/off and the like, which kx's rendered values never contain.
 * @param {string[]} files
 * @returns {Record<string, any>}
 */
export function readValues(files) {
  let base = {};
  for (const file of files) {
    if (!existsSync(file)) throw new Error(`open ${file}: no such file or directory`);
    let doc;
    try {
      doc = parse(readFileSync(file, "utf8"));
    } catch (e) {
      const first = String(/** @type {Error} */ (e).message).split("\n")[0];
      throw new Error(`failed to parse ${file}: error converting YAML to JSON: yaml: ${first}`);
    }
    if (doc === null || doc === undefined) continue;
    if (!isMap(doc)) {
      throw new Error(`failed to parse ${file}: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${goType(doc)} into Go value of type map[string]interface {}`);
    }
    base = mergeMaps(base, doc);
  }
  return base;
}

const quote = (v) => `'${typeof v === "string" ? v : JSON.stringify(v)}'`;

/**
 * One ajv error in the wording of santhosh-tekuri/jsonschema v6, helm's validator since
 * 3.18 (before, gojsonschema said "k8sServicePort: Invalid type. Expected: …"): paths are
 * JSON pointers ("at '/ipam/mode'", the root "at ''"), numbers are "number".
 */
function describe(err, values) {
  const value = err.instancePath.split("/").slice(1).reduce((v, k) => v?.[k.replaceAll("~1", "/").replaceAll("~0", "~")], values);
  const got = typeof value === "number" ? "number" : goType(value);
  const p = err.params;
  const what = (() => {
    switch (err.keyword) {
      case "type":
        return `got ${got}, want ${[p.type].flat().join(" or ")}`;
      case "enum":
        return p.allowedValues.length === 1 ? `value must be ${quote(p.allowedValues[0])}` : `value must be one of ${p.allowedValues.map(quote).join(", ")}`;
      case "const":
        return `value must be ${quote(p.allowedValue)}`;
      case "required":
        return `missing property ${quote(p.missingProperty)}`;
      case "additionalProperties":
        return `additional properties ${quote(p.additionalProperty)} not allowed`;
      case "pattern":
        return `${quote(value)} does not match pattern ${quote(p.pattern)}`;
      case "minimum":
      case "maximum":
      case "minLength":
      case "maxLength":
      case "minItems":
      case "maxItems":
        return `${err.keyword}: got ${typeof value === "number" ? value : Array.isArray(value) || typeof value === "string" ? value.length : got}, want ${p.limit}`;
      case "anyOf":
      case "oneOf":
        return `'${err.keyword}' failed, none matched`;
      case "false schema":
        return "false schema";
      default:
        return `${err.keyword}: ${err.message}`;
    }
  })();
  return `at '${err.instancePath}': ${what}`;
}

/** Lines as jsonschema v6 prints them: the branches of a failed anyOf/oneOf nested under it. */
function render(errors, values) {
  const groups = errors.filter((e) => e.keyword === "anyOf" || e.keyword === "oneOf");
  const inGroup = (e, g) => e !== g && e.schemaPath.startsWith(`${g.schemaPath}/`);
  const lines = [];
  for (const e of errors) {
    if (groups.some((g) => inGroup(e, g))) continue;
    lines.push(`- ${describe(e, values)}`);
    if (groups.includes(e)) for (const child of errors.filter((c) => inGroup(c, e))) lines.push(`  - ${describe(child, values)}`);
  }
  return [...new Set(lines)];
}

/**
 * helm validates the chart's defaults coalesced with the user's values; the stand-in has
 * no chart defaults, so it validates the user's values alone (the schemas it carries
 * require nothing and only type the keys they list).
 * @returns {string | undefined} helm's error text, or undefined when the values are valid
 */
export function schemaErrors(chartName, schemaFile, values) {
  const schema = JSON.parse(readFileSync(join(SCHEMAS, schemaFile), "utf8"));
  // istio's "http://json-schema.org/schema#" is no meta-schema ajv knows; all are read as draft-07.
  delete schema.$schema;
  const AjvClass = /** @type {any} */ (Ajv).default ?? Ajv;
  const ajv = new AjvClass({ strict: false, allErrors: true, validateSchema: false });
  const validate = ajv.compile(schema);
  if (validate(values)) return undefined;
  const lines = render(validate.errors ?? [], values);
  return `values don't meet the specifications of the schema(s) in the following chart(s):\n${chartName}:\n${lines.join("\n")}\n`;
}
