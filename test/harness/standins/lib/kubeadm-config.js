// @ts-check
/**
 * Decoding a kubeadm --config file the way kubeadm does, against the strict v1beta4
 * schema in test/harness/schemas (derived from kubeadm's Go types). Errors are worded
 * as kubeadm words them, so a test can tell which check fired.
 *
 * kubeadm's decoder: documents are split on "---"; kubeadm.k8s.io/v1beta4 documents are
 * decoded strictly (unknown or misspelt fields -> "strict decoding error: unknown field",
 * a wrong type -> "json: cannot unmarshal"); older kubeadm API versions are refused with
 * kubeadm's "old API spec" message; kubelet/kube-proxy documents belong to other APIs.
 * `kubeadm config validate` fails on unknown fields; init/join/reset/upgrade only warn on
 * them (but fail on type errors and unknown kinds), as the real kubeadm does.
 */
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import Ajv from "ajv";

const SCHEMA_PATH = process.env.KX_KUBEADM_SCHEMA ?? fileURLToPath(new URL("../../schemas/kubeadm-v1beta4.schema.json", import.meta.url));
const KUBEADM_GROUP = "kubeadm.k8s.io";
const OTHER_APIS = new Set(["kubelet.config.k8s.io/v1beta1", "kubeproxy.config.k8s.io/v1alpha1"]);
const KINDS = ["InitConfiguration", "ClusterConfiguration", "JoinConfiguration", "ResetConfiguration", "UpgradeConfiguration"];

let validateDoc;
function validator() {
  if (!validateDoc) {
    const AjvClass = /** @type {any} */ (Ajv).default ?? Ajv;
    const ajv = new AjvClass({ allErrors: true, strict: false });
    validateDoc = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, "utf8")));
  }
  return validateDoc;
}

export class KubeadmConfigError extends Error {}

/**
 * @param {string} text the file's content
 * @returns {{ docs: Record<string, any>[], byKind: Record<string, any>, kubelet?: any, warnings: string[], unknownFields: string[] }}
 */
export function decodeKubeadmConfig(text) {
  const docs = [];
  const byKind = {};
  const warnings = [];
  const unknownFields = [];
  let kubelet;
  for (const yamlDoc of parseAllDocuments(text)) {
    if (yamlDoc.errors.length > 0) throw new KubeadmConfigError(`error converting YAML to JSON: ${yamlDoc.errors[0].message}`);
    const doc = yamlDoc.toJS();
    if (doc === null || doc === undefined) continue;
    if (typeof doc !== "object" || Array.isArray(doc)) throw new KubeadmConfigError("error unmarshaling JSON: while decoding JSON: Object 'Kind' is missing in document");
    const { apiVersion, kind } = doc;
    if (typeof kind !== "string" || kind === "") throw new KubeadmConfigError(`Object 'Kind' is missing in '${JSON.stringify(doc)}'`);
    if (typeof apiVersion !== "string" || apiVersion === "") throw new KubeadmConfigError(`Object 'apiVersion' is missing in '${JSON.stringify(doc)}'`);
    if (OTHER_APIS.has(apiVersion)) {
      if (kind === "KubeletConfiguration") kubelet = doc;
      docs.push(doc);
      continue;
    }
    const [group, version] = apiVersion.split("/");
    if (group === KUBEADM_GROUP && version !== "v1beta4") {
      throw new KubeadmConfigError(
        `your configuration file uses an old API spec: "${apiVersion}" (kind: "${kind}"). ` +
          `Please use kubeadm v1.30 instead and run 'kubeadm config migrate --old-config old.yaml --new-config new.yaml', ` +
          "which will write the new, similar spec using a newer API version.",
      );
    }
    if (group !== KUBEADM_GROUP || !KINDS.includes(kind)) {
      throw new KubeadmConfigError(
        `no kind "${kind}" is registered for version "${apiVersion}" in scheme "k8s.io/kubernetes/cmd/kubeadm/app/apis/kubeadm/scheme/scheme.go:31"`,
      );
    }
    const problems = schemaProblems(doc);
    const gvk = `schema.GroupVersionKind{Group:"${KUBEADM_GROUP}", Version:"v1beta4", Kind:"${kind}"}`;
    const fatal = problems.filter((p) => !p.unknownField);
    if (fatal.length > 0) throw new KubeadmConfigError(`error unmarshaling configuration ${gvk}: ${fatal.map((p) => p.message).join("; ")}`);
    for (const p of problems) {
      unknownFields.push(p.message);
      warnings.push(`W0000 00:00:00.000000    1 strict.go:54] error unmarshaling configuration ${gvk}: ${p.message}`);
    }
    if (byKind[kind]) throw new KubeadmConfigError(`invalid configuration: kind "${kind}" is specified twice`);
    byKind[kind] = doc;
    docs.push(doc);
  }
  return { docs, byKind, kubelet, warnings, unknownFields };
}

/** @param {any} doc */
function schemaProblems(doc) {
  const validate = validator();
  if (validate(doc)) return [];
  const problems = [];
  const seen = new Set();
  for (const e of validate.errors ?? []) {
    // if/then dispatch reports a summary error besides the real one.
    if (e.keyword === "if") continue;
    const path = fieldPath(e.instancePath);
    let problem;
    if (e.keyword === "additionalProperties") {
      const field = [path, e.params.additionalProperty].filter(Boolean).join(".");
      problem = { unknownField: true, message: `strict decoding error: unknown field "${field}"` };
    } else if (e.keyword === "type") {
      const got = goType(valueAt(doc, e.instancePath));
      const want = e.params.type === "array" ? "[]" + (/extraArgs|kubeletExtraArgs/.test(path) ? "v1beta4.Arg" : "interface {}") : e.params.type;
      problem = { unknownField: false, message: `json: cannot unmarshal ${got} into Go struct field .${path} of type ${want}` };
    } else if (e.keyword === "required") {
      const field = [path, e.params.missingProperty].filter(Boolean).join(".");
      problem = { unknownField: false, message: `missing required field "${field}"` };
    } else {
      problem = { unknownField: false, message: `invalid value for "${path}": ${e.message}` };
    }
    if (!seen.has(problem.message)) {
      seen.add(problem.message);
      problems.push(problem);
    }
  }
  return problems;
}

/** "/apiServer/extraArgs/0/name" -> "apiServer.extraArgs[0].name" */
function fieldPath(pointer) {
  return pointer
    .split("/")
    .slice(1)
    .map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), "");
}

function valueAt(doc, pointer) {
  let v = doc;
  for (const part of pointer.split("/").slice(1)) v = v?.[part.replaceAll("~1", "/").replaceAll("~0", "~")];
  return v;
}

function goType(v) {
  if (Array.isArray(v)) return "array";
  if (v === null) return "null";
  return typeof v === "object" ? "object" : typeof v;
}
