import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { expandHome, loadConfigFile, parseConfig } from "../../src/config/load.js";
import { ConfigError, EXIT, isKxError, UsageError } from "../../src/engine/errors.js";
import { aws } from "./fixtures.js";

const MANY_PROBLEMS = `apiVersion: kx.dev/v1alpha1
kind: Cluster
name: Lab
region: eu-west-1
zones: [eu-west-1a, eu-west-1b, us-east-1c]
dns:
  zone: lab.example.com
  zone: lab2.example.com
workers:
  min: 5
  desired: 4
  colour: blue
etcd:
  count: two
addons:
  istio:
    enabled: false
    observability:
      kiali: true
`;

function issuesOf(text: string): ConfigError["issues"] {
  try {
    parseConfig(text);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kx-config-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("parseConfig", () => {
  test("reports every problem at once, in file order, each with its path and line", () => {
    let error: unknown;
    try {
      parseConfig(MANY_PROBLEMS, "cluster.yaml");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const e = error as ConfigError;
    expect(e.exitCode).toBe(EXIT.usage);
    expect(e.file).toBe("cluster.yaml");
    expect(e.issues).toEqual([
      // a missing value has no line: it is listed first
      { path: "ssh.bastion.allowedCidrs", line: undefined, message: expect.stringMatching(/^must list at least one CIDR/) },
      { path: "name", line: 3, message: expect.stringMatching(/^must be a DNS-1123 label/) },
      { path: "zones[2]", line: 5, message: expect.stringMatching(/^"us-east-1c" is not a zone of region eu-west-1/) },
      { path: "", line: 8, message: "Map keys must be unique" },
      { path: "workers.desired", line: 11, message: "must be at least workers.min (5)" },
      { path: "workers.colour", line: 12, message: 'unknown key "colour"' },
      { path: "etcd.count", line: 14, message: "Invalid input: expected number, received string" },
      { path: "addons.istio.observability.kiali", line: 19, message: "needs addons.istio.enabled: true (it is one of Istio's observability tools)" },
    ]);
    expect(e.message.split("\n")[0]).toBe("8 problems in cluster.yaml:");
    expect(e.message).toContain("  - workers.colour (line 12): unknown key \"colour\"");
  });

  test("a YAML syntax error is reported with its line, along with the schema's problems", () => {
    expect(issuesOf(aws("workers: [1, 2\n"))).toEqual([
      { path: "workers", line: 7, message: "Invalid input: expected object, received array" },
      { path: "", line: 8, message: "Flow sequence in block collection must be sufficiently indented and end with a ]" },
    ]);
  });

  test("a second document is refused", () => {
    expect(issuesOf(`${aws()}---\nname: other\n`)).toEqual([
      { path: "", line: 7, message: "Source contains multiple documents; please use YAML.parseAllDocuments()" },
    ]);
  });

  test("an empty file says what a config starts with", () => {
    expect(() => parseConfig("# nothing\n")).toThrow(/the file is empty: a cluster config starts with "apiVersion: kx.dev\/v1alpha1"/);
  });

  test("a file that is not a mapping is rejected", () => {
    expect(issuesOf("- just\n- a list\n")).toEqual([
      { path: "", line: undefined, message: "the file must be a mapping (apiVersion: ..., kind: ..., name: ...), not a list" },
    ]);
  });

  test("warnings: a bastion open to the internet is allowed but flagged with its line", () => {
    const { warnings } = parseConfig(aws().replace("203.0.113.0/24", "203.0.113.0/24, 0.0.0.0/0"));
    expect(warnings).toEqual([
      {
        path: "ssh.bastion.allowedCidrs[1]",
        line: 6,
        message: "0.0.0.0/0 lets the whole internet try SSH on the bastion; prefer your own public range",
      },
    ]);
  });

  test("warnings: a single etcd member", () => {
    const { warnings } = parseConfig(aws("etcd:\n  count: 1\n"));
    expect(warnings).toEqual([{ path: "etcd.count", line: 8, message: "a single member has no fault tolerance: losing it stops the cluster" }]);
  });

  test("a valid file has no warnings", () => {
    expect(parseConfig(aws()).warnings).toEqual([]);
  });
});

describe("loadConfigFile", () => {
  test("reads and validates a file, naming it in errors", async () => {
    const good = join(dir, "good.yaml");
    await writeFile(good, aws());
    const loaded = await loadConfigFile(good);
    expect(loaded.config.name).toBe("lab");
    expect(loaded.text).toBe(aws());
    const bad = join(dir, "bad.yaml");
    await writeFile(bad, aws("etcd: { count: 2 }\n"));
    await expect(loadConfigFile(bad)).rejects.toThrow(`1 problem in ${bad}:\n  - etcd.count (line 7): must be 1, 3 or 5`);
  });

  test("a missing file is a clear usage error (exit 2)", async () => {
    const missing = join(dir, "nope.yaml");
    const error = await loadConfigFile(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect(isKxError(error) && error.exitCode).toBe(EXIT.usage);
    expect((error as UsageError).message).toBe(`config file ${missing} does not exist`);
    expect((error as UsageError).hint).toContain("kx config init -f");
  });

  test("a directory is not a config file", async () => {
    await expect(loadConfigFile(dir)).rejects.toThrow(`${dir} is a directory, not a config file`);
  });
});

test("expandHome expands a leading ~ only", () => {
  expect(expandHome("~/.ssh/id_ed25519", "/home/op")).toBe("/home/op/.ssh/id_ed25519");
  expect(expandHome("~", "/home/op")).toBe("/home/op");
  expect(expandHome("/etc/~x", "/home/op")).toBe("/etc/~x");
  expect(expandHome("~other/key", "/home/op")).toBe("~other/key");
});
