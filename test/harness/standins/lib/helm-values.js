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

/** gojsonschema's field notation: "(root)", "ipam.mode", "list.0". */
function field(instancePath) {
  const parts = instancePath.split("/").slice(1).map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"));
  return parts.length ? parts.join(".") : "(root)";
}

/** One ajv error in the wording of gojsonschema, helm's validator (pkg/chartutil/jsonschema.go). */
function describe(err, values) {
  const at = field(err.instancePath);
  const value = err.instancePath.split("/").slice(1).reduce((v, k) => v?.[k], values);
  const given = Number.isInteger(value) ? "integer" : goType(value);
  switch (err.keyword) {
    case "type": {
      const want = Array.isArray(err.params.type) ? `[${err.params.type.join(",")}]` : err.params.type;
      return `${at}: Invalid type. Expected: ${want}, given: ${given}`;
    }
    case "enum":
      return `${at}: ${at} must be one of the following: ${err.params.allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
    case "additionalProperties":
      return `${at}: Additional property ${err.params.additionalProperty} is not allowed`;
    case "required":
      return `${at}: ${err.params.missingProperty} is required`;
    default:
      return `${at}: ${err.message}`;
  }
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
  const lines = [...new Set((validate.errors ?? []).map((e) => `- ${describe(e, values)}`))];
  return `values don't meet the specifications of the schema(s) in the following chart(s):\n${chartName}:\n${lines.join("\n")}\n`;
}
