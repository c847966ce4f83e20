import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { main } from "../../src/cli.js";
import { run as configInit } from "../../src/commands/config-init.js";
import { run as configValidate } from "../../src/commands/config-validate.js";
import { run as schema } from "../../src/commands/schema.js";
import { EXAMPLE_CONFIG } from "../../src/config/example.js";
import { parseConfig } from "../../src/config/load.js";
import { ConfigError, EXIT, UsageError } from "../../src/engine/errors.js";
import { captureIo } from "./capture-io.js";
import { aws } from "./fixtures.js";

const EXAMPLE_FILE = new URL("../../examples/cluster.yaml", import.meta.url);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kx-config-cmd-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the example config", () => {
  test("examples/cluster.yaml is byte-identical to what kx config init writes", async () => {
    const { io, stdout } = captureIo();
    await configInit({}, {}, io);
    expect(stdout()).toBe(EXAMPLE_CONFIG);
    expect(await readFile(EXAMPLE_FILE, "utf8")).toBe(EXAMPLE_CONFIG);
  });

  test("is valid, warning-free, and says what the README promises", () => {
    const { config, warnings } = parseConfig(EXAMPLE_CONFIG, "examples/cluster.yaml");
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({
      name: "lab",
      region: "eu-west-1",
      zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
      dns: { zone: "lab.example.com" },
      images: { build: true },
      ssh: { bastion: { enabled: true, allowedCidrs: ["203.0.113.0/24"] } },
      ecr: { repositories: ["lab/app"] },
      rds: { enabled: false },
    });
    expect(Object.values(config.addons).every((a) => a.enabled)).toBe(true);
    expect(Object.values(config.addons.istio.observability).every(Boolean)).toBe(true);
  });
});

describe("kx config init", () => {
  test("writes the file, refuses to overwrite it, and overwrites with --force", async () => {
    const file = join(dir, "init.yaml");
    const { io, stdout } = captureIo();
    expect(await configInit({ file }, {}, io)).toBe(0);
    expect(await readFile(file, "utf8")).toBe(EXAMPLE_CONFIG);
    expect(stdout()).toContain(`wrote ${file}`);

    await writeFile(file, "mine\n");
    const error = await configInit({ file }, {}, io).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(EXIT.usage);
    expect((error as UsageError).message).toBe(`${file} already exists`);
    expect(await readFile(file, "utf8")).toBe("mine\n");

    await configInit({ file, force: true }, {}, io);
    expect(await readFile(file, "utf8")).toBe(EXAMPLE_CONFIG);
  });

  test("a missing directory is a usage error", async () => {
    await expect(configInit({ file: join(dir, "no/such/dir.yaml") }, {}, captureIo().io)).rejects.toThrow("its directory does not exist");
  });
});

describe("kx config validate", () => {
  test("says the file is valid and prints its warnings", async () => {
    const file = join(dir, "open.yaml");
    await writeFile(file, aws().replace("203.0.113.0/24", "0.0.0.0/0"));
    const { io, stdout, stderr } = captureIo();
    expect(await configValidate({ file }, {}, io)).toBe(0);
    expect(stdout()).toBe(`${file} is valid\n`);
    expect(stderr()).toBe(
      "warning: ssh.bastion.allowedCidrs[0] (line 6): 0.0.0.0/0 lets the whole internet try SSH on the bastion; prefer your own public range\n",
    );
  });

  test("emits one JSON event with --output json", async () => {
    const file = join(dir, "ok.yaml");
    await writeFile(file, aws());
    const { io, stdout } = captureIo("json");
    await configValidate({ file }, { output: "json" }, io);
    expect(JSON.parse(stdout())).toEqual({ type: "config-valid", file, warnings: [] });
  });

  test("a bad file is a ConfigError listing every problem", async () => {
    const file = join(dir, "bad.yaml");
    await writeFile(file, aws("etcd: { count: 2 }\nworkers: { min: 9 }\n"));
    const error = await configValidate({ file }, {}, captureIo().io).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => `${i.path}:${i.line}`)).toEqual(["etcd.count:7", "workers.min:8"]);
  });

  test("through the CLI program: exit 2 for a bad file, 0 for the example", async () => {
    const file = join(dir, "cli-bad.yaml");
    await writeFile(file, aws("etcd: { count: 2 }\n"));
    const stderr = process.stderr.write;
    const written: string[] = [];
    process.stderr.write = ((chunk: string) => written.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
      expect(await main(["node", "kx", "config", "validate", "-f", file])).toBe(EXIT.usage);
    } finally {
      process.stderr.write = stderr;
    }
    expect(written.join("")).toContain(`1 problem in ${file}:\n  - etcd.count (line 7): must be 1, 3 or 5`);
    const stdout = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      expect(await main(["node", "kx", "config", "validate", "-f", EXAMPLE_FILE.pathname])).toBe(EXIT.ok);
      expect(await main(["node", "kx", "schema"])).toBe(EXIT.ok);
    } finally {
      process.stdout.write = stdout;
    }
  });
});

describe("kx schema", () => {
  async function printedSchema(): Promise<Record<string, any>> {
    const { io, stdout } = captureIo();
    await schema({}, {}, io);
    return JSON.parse(stdout());
  }

  test("prints a JSON Schema of the config with its properties and defaults", async () => {
    const s = await printedSchema();
    expect(s.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(s.$id).toBe("https://kx.dev/schemas/cluster-v1alpha1.json");
    expect(Object.keys(s.properties)).toEqual(
      expect.arrayContaining(["apiVersion", "kind", "name", "region", "zones", "network", "kubernetes", "etcd", "controlPlane", "workers", "images", "ssh", "dns", "addons", "ecr", "rds", "hosts"]),
    );
    expect(s.required).toEqual(["apiVersion", "kind", "name"]);
    expect(s.properties.workers.properties.max.default).toBe(6);
    expect(s.properties.addons.properties.istio.properties.mode.enum).toEqual(["ambient", "sidecar"]);
    expect(s.additionalProperties).toBe(false);
  });

  test("accepts the example and rejects what the shape forbids (checked with ajv)", async () => {
    const validate = new Ajv2020({ strict: false }).compile(await printedSchema());
    expect(validate(parseYaml(EXAMPLE_CONFIG)), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(parseYaml(aws("workers: { min: three }\n")))).toBe(false);
    expect(validate(parseYaml(aws("colour: blue\n")))).toBe(false);
    expect(validate(parseYaml(aws("addons: { istio: { mode: sidecars } }\n")))).toBe(false);
  });
});
