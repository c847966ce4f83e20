// @ts-check
/**
 * What the API server does with a custom resource before storing it, against the
 * structural schema of the served version in its CRD: decode with the requested field
 * validation (kubectl's default --validate=strict sends fieldValidation=Strict: unknown
 * fields refuse the request; Warn and Ignore prune them, Warn with a warning each), then
 * validate what is left, answering with the apiserver's field errors. Used for ECK's kinds
 * (lib/eck-crds.js), but nothing here is ECK-specific.
 */
import Ajv from "ajv";

const AjvClass = /** @type {any} */ (Ajv).default ?? Ajv;
// x-kubernetes-* keywords are not JSON Schema: strict:false lets ajv skip them; Kubernetes checks formats loosely.
const ajv = new AjvClass({ strict: false, allErrors: true, validateFormats: false, verbose: true });
const compiled = new Map();

/** "/spec/nodeSets/0/count" -> "spec.nodeSets[0].count" */
function fieldPath(pointer) {
  return pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), "");
}

/**
 * Structural pruning: fields the schema does not name are dropped (and reported), except
 * under x-kubernetes-preserve-unknown-fields or a map's additionalProperties. The root
 * object's metadata is ObjectMeta, which the API server handles itself.
 */
function prune(schema, value, path, unknown) {
  if (!schema || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return schema.items ? value.map((v, i) => prune(schema.items, v, `${path}[${i}]`, unknown)) : value;
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    const at = path ? `${path}.${k}` : k;
    if (!path && k === "metadata") out[k] = v;
    else if (schema.properties?.[k]) out[k] = prune(schema.properties[k], v, at, unknown);
    else if (schema.additionalProperties && typeof schema.additionalProperties === "object") out[k] = prune(schema.additionalProperties, v, at, unknown);
    else if (schema.additionalProperties === true || schema["x-kubernetes-preserve-unknown-fields"]) out[k] = v;
    else unknown.push(at);
  }
  return out;
}

const show = (v) => JSON.stringify(v) ?? "null";
/** The JSON type kube-openapi names in a type error (it shows the type, not the value). */
const jsonType = (v) => (v === null ? "null" : Array.isArray(v) ? "array" : Number.isInteger(v) ? "integer" : typeof v);

/** One ajv error in the apiserver's words (k8s.io/apiextensions-apiserver's validation errors). */
function cause(e) {
  if (e.keyword === "required") {
    const field = fieldPath(`${e.instancePath}/${e.params.missingProperty}`);
    return { field, message: `${field}: Required value` };
  }
  const field = fieldPath(e.instancePath);
  if (e.keyword === "enum") return { field, message: `${field}: Unsupported value: ${show(e.data)}: supported values: ${e.params.allowedValues.map(show).join(", ")}` };
  if (e.keyword === "type") {
    const got = show(jsonType(e.data));
    return { field, message: `${field}: Invalid value: ${got}: ${field} in body must be of type ${e.params.type}: ${got}` };
  }
  const what =
    e.keyword === "pattern"
      ? `${field} in body should match '${e.params.pattern}'`
      : e.keyword === "maxLength"
        ? `${field} in body should be at most ${e.params.limit} chars long`
        : e.keyword === "minimum"
          ? `${field} in body should be greater than or equal to ${e.params.limit}`
          : `${field} in body ${e.message}`;
  return { field, message: `${field}: Invalid value: ${show(e.data)}: ${what}` };
}

/**
 * @param {any} crd the stored CustomResourceDefinition
 * @param {any} obj the object in the request
 * @param {string} fieldValidation Strict | Warn | Ignore (the query parameter; apply sends Strict by default)
 * @returns {{ status: number, body: any, warnings?: string[] }}
 */
export function checkCustomResource(crd, obj, fieldValidation) {
  const kind = crd.spec.names.kind;
  const [group, version] = String(obj.apiVersion).split("/");
  const served = crd.spec.versions.find((v) => v.name === version && v.served);
  if (group !== crd.spec.group || !served) {
    return { status: 404, body: { kind: "Status", message: `the server could not find the requested resource`, reason: "NotFound", code: 404 } };
  }
  const schema = served.schema.openAPIV3Schema;
  const unknown = [];
  const pruned = prune(schema, obj, "", unknown);
  const mode = (fieldValidation || "Strict").toLowerCase();
  if (unknown.length && mode === "strict") {
    const message = `${kind} in version "${version}" cannot be handled as a ${kind}: strict decoding error: ${unknown.map((u) => `unknown field "${u}"`).join(", ")}`;
    return { status: 400, body: { kind: "Status", status: "Failure", message, reason: "BadRequest", code: 400 } };
  }
  const key = `${crd.metadata.name}/${version}`;
  if (!compiled.has(key)) compiled.set(key, ajv.compile(schema));
  const validate = compiled.get(key);
  if (!validate(pruned)) {
    const causes = validate.errors.map(cause);
    const list = causes.map((c) => c.message);
    const qualified = `${kind}.${crd.spec.group}`;
    const name = obj.metadata?.name ?? "";
    const message = `${qualified} "${name}" is invalid: ${list.length === 1 ? list[0] : `[${list.join(", ")}]`}`;
    return {
      status: 422,
      body: { kind: "Status", status: "Failure", message, reason: "Invalid", code: 422, details: { name, group: crd.spec.group, kind, causes: causes.map((c) => ({ reason: "FieldValueInvalid", ...c })) } },
    };
  }
  return { status: 200, body: pruned, warnings: mode === "warn" ? unknown.map((u) => `unknown field "${u}"`) : [] };
}
