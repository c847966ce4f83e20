// @ts-check
/**
 * A Packer HCL2 project (a directory of *.pkr.hcl files) as `packer build` reads it:
 * blocks collected from every file, -var values checked against the declared
 * variables and their validation rules, locals and data sources evaluated, and each
 * build's sources and provisioners resolved. Problems are reported as Packer reports
 * them: "Error: <summary>" and a detail paragraph.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { createHash } from "node:crypto";
import { parseHcl } from "./hcl.js";
import { EvalError, evaluator } from "./evaluate.js";

export const STANDIN_VERSION = "1.14.2";
export const AMAZON_PLUGIN = "github.com/hashicorp/amazon";

export class Diagnostic extends Error {
  /** @param {string} summary @param {string} detail @param {{ file?: string, line?: number }} [at] */
  constructor(summary, detail, at = {}) {
    super(`Error: ${summary}\n\n${at.file ? `  on ${at.file} line ${at.line}:\n\n` : ""}${detail}`);
  }
}

/** @typedef {import("./hcl.js").Block} Block @typedef {import("./hcl.js").Body} Body @typedef {import("./evaluate.js").Value} Value */

/** Fields of the amazon-ebs builder (plugin v1) kx's templates may set; others are rejected as the plugin does. */
const AMAZON_EBS_FIELDS = new Set([
  "name", "region", "source_ami", "instance_type", "ssh_username", "ssh_timeout", "ssh_interface", "temporary_key_pair_type",
  "imds_support", "ami_name", "ami_description", "ami_regions", "tags", "snapshot_tags", "run_tags", "run_volume_tags",
  "encrypt_boot", "kms_key_id", "subnet_id", "vpc_id", "security_group_ids", "associate_public_ip_address", "iam_instance_profile",
  "ena_support", "sriov_support", "force_deregister", "force_delete_snapshot", "deprecate_at", "profile", "communicator",
]);
const AMAZON_EBS_BLOCKS = {
  metadata_options: new Set(["http_endpoint", "http_tokens", "http_put_response_hop_limit", "instance_metadata_tags"]),
  launch_block_device_mappings: new Set(["device_name", "volume_size", "volume_type", "encrypted", "delete_on_termination", "iops", "throughput", "kms_key_id"]),
  source_ami_filter: new Set(["filters", "owners", "most_recent"]),
};
const PROVISIONER_FIELDS = {
  shell: new Set(["inline", "script", "scripts", "execute_command", "environment_vars", "expect_disconnect", "pause_before", "max_retries", "valid_exit_codes", "inline_shebang", "skip_clean"]),
  file: new Set(["source", "sources", "destination", "direction", "generated"]),
};
const MANIFEST_FIELDS = new Set(["output", "strip_path", "strip_time", "custom_data", "keep_input_artifact"]);

/**
 * @param {string} dir
 * @returns {{ file: string, body: Body }[]}
 */
export function readProject(dir) {
  if (!existsSync(dir)) throw new Diagnostic("Failed to read directory", `stat ${dir}: no such file or directory`);
  if (!statSync(dir).isDirectory()) throw new Diagnostic("Unsupported template", `${dir} is not a directory of .pkr.hcl files`);
  const names = readdirSync(dir).filter((n) => n.endsWith(".pkr.hcl")).sort();
  if (names.length === 0) throw new Diagnostic("Could not find any config file", `Could not find any config file in ${dir}`);
  return names.map((name) => {
    const file = join(dir, name);
    try {
      return { file: name, body: parseHcl(readFileSync(file, "utf8"), name) };
    } catch (e) {
      throw new Diagnostic("Invalid HCL", /** @type {Error} */ (e).message);
    }
  });
}

/** @param {{ file: string, body: Body }[]} files @param {string} type */
function blocksOf(files, type) {
  return files.flatMap((f) => f.body.blocks.filter((b) => b.type === type));
}

/** @param {Body} body @param {string} name */
function attr(body, name) {
  return body.attributes.find((a) => a.name === name);
}

/** The required_plugins entries; an amazon plugin entry is what init installs. */
export function requiredPlugins(files) {
  const packers = blocksOf(files, "packer");
  /** @type {{ name: string, source: string, version: string }[]} */
  const plugins = [];
  for (const p of packers) {
    const rv = attr(p.body, "required_version");
    if (rv) checkRequiredVersion(rv, p);
    for (const rp of p.body.blocks.filter((b) => b.type === "required_plugins")) {
      const ev = evaluator({ variables: new Map(), locals: new Map(), pathRoot: "", data: new Map(), now: new Date() });
      for (const a of rp.body.attributes) {
        const v = ev(a.expr);
        if (typeof v !== "object" || Array.isArray(v) || typeof v.source !== "string" || typeof v.version !== "string") {
          throw new Diagnostic("Invalid required_plugins entry", `${a.name} must be { source = "...", version = "..." }`, { file: p.file, line: a.line });
        }
        plugins.push({ name: a.name, source: v.source, version: v.version });
      }
    }
  }
  return plugins;
}

/** @param {import("./hcl.js").Attribute} rv @param {Block} block */
function checkRequiredVersion(rv, block) {
  const ev = evaluator({ variables: new Map(), locals: new Map(), pathRoot: "", data: new Map(), now: new Date() });
  const constraint = String(ev(rv.expr));
  const m = /^\s*>=\s*(\d+)\.(\d+)\.(\d+)\s*$/.exec(constraint);
  if (!m) throw new Diagnostic("Unsupported constraint", `the stand-in understands only ">= x.y.z", not ${constraint}`, { file: block.file, line: rv.line });
  const have = STANDIN_VERSION.split(".").map(Number);
  const want = m.slice(1).map(Number);
  const cmp = have[0] - want[0] || have[1] - want[1] || have[2] - want[2];
  if (cmp < 0) {
    throw new Diagnostic("Unsupported Packer Core version", `This configuration does not support Packer version ${STANDIN_VERSION}.`, { file: block.file, line: rv.line });
  }
}

/**
 * Declared variables with their values after -var assignments; every assignment must
 * name a declared variable, every variable must end up set, and validations must hold.
 * @param {{ file: string, body: Body }[]} files @param {[string, string][]} assignments
 */
export function resolveVariables(files, assignments) {
  /** @type {Map<string, { block: Block, type: string }>} */
  const declared = new Map();
  for (const b of blocksOf(files, "variable")) {
    const name = b.labels[0];
    if (!name || b.labels.length !== 1) throw new Diagnostic("Invalid variable block", "a variable block takes exactly one label", { file: b.file, line: b.line });
    if (declared.has(name)) throw new Diagnostic("Duplicate variable", `A variable named "${name}" was already declared.`, { file: b.file, line: b.line });
    const type = attr(b.body, "type");
    const typeName = type?.expr.kind === "ref" ? type.expr.path.join(".") : "string";
    if (!["string", "number", "bool"].includes(typeName)) throw new Diagnostic("Unsupported type", `the stand-in knows string, number and bool, not ${typeName}`, { file: b.file, line: b.line });
    declared.set(name, { block: b, type: typeName });
  }
  const noVars = evaluator({ variables: new Map(), locals: new Map(), pathRoot: "", data: new Map(), now: new Date() });
  /** @type {Map<string, Value>} */
  const values = new Map();
  for (const [name, { block }] of declared) {
    const def = attr(block.body, "default");
    if (def) values.set(name, noVars(def.expr));
  }
  for (const [name, raw] of assignments) {
    const d = declared.get(name);
    if (!d) {
      throw new Diagnostic(
        "Undefined -var variable",
        `A "${name}" variable was passed in but was not found in known variables. To declare variable "${name}", place this block in one of your .pkr.hcl files, such as variables.pkr.hcl`,
      );
    }
    if (d.type === "number") {
      if (!/^-?\d+(\.\d+)?$/.test(raw)) throw new Diagnostic("Invalid value for variable", `a number is required for "${name}", not ${JSON.stringify(raw)}`);
      values.set(name, Number(raw));
    } else if (d.type === "bool") {
      if (raw !== "true" && raw !== "false") throw new Diagnostic("Invalid value for variable", `a bool is required for "${name}"`);
      values.set(name, raw === "true");
    } else values.set(name, raw);
  }
  for (const [name, { block }] of declared) {
    if (!values.has(name)) {
      throw new Diagnostic("Unset variable \"" + name + "\"", "A used variable must be set or have a default value; see https://packer.io/docs/templates/hcl_templates/syntax for details.", { file: block.file, line: block.line });
    }
    const ev = evaluator({ variables: values, locals: new Map(), pathRoot: "", data: new Map(), now: new Date() });
    for (const v of block.body.blocks.filter((b) => b.type === "validation")) {
      const cond = attr(v.body, "condition");
      const msg = attr(v.body, "error_message");
      if (!cond || !msg) throw new Diagnostic("Invalid validation", "a validation block needs condition and error_message", { file: block.file, line: v.line });
      if (ev(cond.expr) !== true) {
        throw new Diagnostic("Invalid value for variable", `${ev(msg.expr)}\n\nThis was checked by the validation rule at ${block.file}:${v.line}.`, { file: block.file, line: v.line });
      }
    }
  }
  return values;
}

/**
 * Everything a build needs, evaluated.
 * @param {string} dir @param {{ file: string, body: Body }[]} files @param {Map<string, Value>} variables
 */
export function resolveBuilds(dir, files, variables) {
  /** @type {Map<string, import("./hcl.js").Expr>} */
  const locals = new Map();
  for (const l of blocksOf(files, "locals")) for (const a of l.body.attributes) locals.set(a.name, a.expr);
  /** @type {Map<string, Record<string, Value>>} */
  const data = new Map();
  const now = new Date();
  const pathRoot = resolve(dir);
  const base = evaluator({ variables, locals: new Map(), pathRoot, data: new Map(), now });
  for (const d of blocksOf(files, "data")) {
    if (d.labels[0] !== "amazon-ami") throw new Diagnostic("Unknown data source", `the stand-in knows amazon-ami, not ${d.labels[0]}`, { file: d.file, line: d.line });
    for (const required of ["filters", "owners"]) {
      if (!attr(d.body, required)) throw new Diagnostic("Missing required argument", `The argument "${required}" is required for amazon-ami.`, { file: d.file, line: d.line });
    }
    const filters = /** @type {Record<string, Value>} */ (base(/** @type {any} */ (attr(d.body, "filters")).expr));
    data.set(`amazon-ami.${d.labels[1]}`, { id: `ami-${createHash("sha256").update(String(filters.name)).digest("hex").slice(0, 17)}`, name: String(filters.name) });
  }
  const evaluate = evaluator({ variables, locals, pathRoot, data, now });
  for (const name of locals.keys()) guard(() => evaluate({ kind: "ref", path: ["local", name] }), "locals");

  /** @type {Map<string, Block>} */
  const sources = new Map();
  for (const s of blocksOf(files, "source")) {
    if (s.labels[0] !== "amazon-ebs") throw new Diagnostic("Unknown source type", `The source "${s.labels[0]}" is not known to the installed plugins.`, { file: s.file, line: s.line });
    sources.set(`source.${s.labels[0]}.${s.labels[1]}`, s);
  }
  const builds = blocksOf(files, "build").map((b) => resolveBuild(b, sources, evaluate, pathRoot));
  if (builds.length === 0) throw new Diagnostic("No build", "The configuration has no build block.");
  return builds;
}

/** @param {() => any} fn @param {string} where */
function guard(fn, where) {
  try {
    return fn();
  } catch (e) {
    if (e instanceof EvalError) throw new Diagnostic("Invalid expression", `${e.message} (in ${where})`);
    throw e;
  }
}

/**
 * @param {Block} build @param {Map<string, Block>} sources @param {(e: import("./hcl.js").Expr) => Value} evaluate @param {string} pathRoot
 */
function resolveBuild(build, sources, evaluate, pathRoot) {
  const buildName = attr(build.body, "name") ? String(evaluate(/** @type {any} */ (attr(build.body, "name")).expr)) : "";
  const overrides = build.body.blocks.filter((b) => b.type === "source");
  if (overrides.length !== 1) throw new Diagnostic("Unsupported build", "the stand-in builds exactly one source per build block", { file: build.file, line: build.line });
  const override = overrides[0];
  const source = sources.get(override.labels[0]) ?? sources.get(`source.${override.labels[0]}`);
  if (!source) throw new Diagnostic("Unknown source", `Unknown source ${override.labels[0]}`, { file: build.file, line: override.line });

  /** @type {Record<string, Value>} */
  const settings = {};
  for (const body of [source.body, override.body]) {
    for (const a of body.attributes) {
      if (!AMAZON_EBS_FIELDS.has(a.name)) throw new Diagnostic("Unsupported argument", `An argument named "${a.name}" is not expected here.`, { file: build.file, line: a.line });
      if (a.name in settings) {
        throw new Diagnostic("Duplicate argument", `The argument "${a.name}" is set in both the source and the build's source block.`, { file: build.file, line: a.line });
      }
      settings[a.name] = guard(() => evaluate(a.expr), `source ${source.labels.join(".")}: ${a.name}`);
    }
    for (const b of body.blocks) {
      const known = AMAZON_EBS_BLOCKS[/** @type {keyof typeof AMAZON_EBS_BLOCKS} */ (b.type)];
      if (!known) throw new Diagnostic("Unsupported block type", `Blocks of type "${b.type}" are not expected here.`, { file: build.file, line: b.line });
      /** @type {Record<string, Value>} */
      const fields = {};
      for (const a of b.body.attributes) {
        if (!known.has(a.name)) throw new Diagnostic("Unsupported argument", `An argument named "${a.name}" is not expected here.`, { file: build.file, line: a.line });
        fields[a.name] = guard(() => evaluate(a.expr), `${b.type}.${a.name}`);
      }
      const list = /** @type {Value[]} */ (settings[b.type] ?? []);
      settings[b.type] = [...list, fields];
    }
  }
  for (const required of ["region", "source_ami", "instance_type", "ssh_username", "ami_name"]) {
    if (!(required in settings)) throw new Diagnostic("Missing required argument", `${required} must be specified`, { file: build.file, line: build.line });
  }
  const amiName = String(settings.ami_name);
  if (amiName.length < 3 || amiName.length > 128 || !/^[a-zA-Z0-9()[\] ./\-'@_]+$/.test(amiName)) {
    throw new Diagnostic("Invalid ami_name", `AMIName should only contain alphanumeric characters, parentheses (()), square brackets ([]), spaces ( ), periods (.), slashes (/), dashes (-), single quotes ('), at-signs (@), or underscores(_), and be 3-128 characters long: ${amiName}`);
  }
  const sourceName = typeof settings.name === "string" ? settings.name : source.labels[1];

  const provisioners = build.body.blocks.filter((b) => b.type === "provisioner").map((p) => {
    const known = PROVISIONER_FIELDS[/** @type {keyof typeof PROVISIONER_FIELDS} */ (p.labels[0])];
    if (!known) throw new Diagnostic("Unknown provisioner type", `The provisioner ${p.labels[0]} is unknown by Packer.`, { file: build.file, line: p.line });
    /** @type {Record<string, Value>} */
    const fields = {};
    for (const a of p.body.attributes) {
      if (!known.has(a.name)) throw new Diagnostic("Unsupported argument", `An argument named "${a.name}" is not expected here.`, { file: build.file, line: a.line });
      fields[a.name] = guard(() => evaluate(a.expr), `provisioner ${p.labels[0]}: ${a.name}`);
    }
    return { type: p.labels[0], fields, line: p.line };
  });
  const postProcessors = build.body.blocks.filter((b) => b.type === "post-processor").map((p) => {
    if (p.labels[0] !== "manifest") throw new Diagnostic("Unknown post-processor type", `The post-processor ${p.labels[0]} is unknown by Packer.`, { file: build.file, line: p.line });
    /** @type {Record<string, Value>} */
    const fields = {};
    for (const a of p.body.attributes) {
      if (!MANIFEST_FIELDS.has(a.name)) throw new Diagnostic("Unsupported argument", `An argument named "${a.name}" is not expected here.`, { file: build.file, line: a.line });
      fields[a.name] = guard(() => evaluate(a.expr), `post-processor manifest: ${a.name}`);
    }
    return { type: "manifest", fields };
  });
  return {
    name: buildName,
    sourceName,
    fullName: `${buildName ? `${buildName}.` : ""}amazon-ebs.${sourceName}`,
    settings,
    provisioners,
    postProcessors,
    pathRoot,
  };
}
