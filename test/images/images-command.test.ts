/**
 * `kx images build` and `kx images list` end to end in-process: the real command
 * modules, the runner and state, the fake AWS endpoint and the stand-in packer.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBuild, runList } from "../../src/commands/images.js";
import { clusterSchema } from "../../src/config/schema.js";
import { currentContentHash } from "../../src/steps/images/current.js";
import { Io } from "../../src/ui/io.js";
import { startFakeAws } from "../harness/fake-aws/index.js";
import { STANDIN_PACKER } from "./fixtures.js";

type Fake = Awaited<ReturnType<typeof startFakeAws>>;
let fake: Fake;
let dir: string;
let configFile: string;
const saved = { ...process.env };

const CLUSTER = { apiVersion: "kx.dev/v1alpha1", kind: "Cluster", name: "lab", region: "eu-west-1", dns: { zone: "lab.example.com" }, ssh: { bastion: { allowedCidrs: ["203.0.113.0/24"] } } };

beforeAll(async () => {
  fake = await startFakeAws({ region: "eu-west-1" });
  dir = mkdtempSync(join(tmpdir(), "kx-images-cmd-"));
  configFile = join(dir, "cluster.yaml");
  writeFileSync(configFile, stringify(CLUSTER));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: fake.url,
    AWS_ACCESS_KEY_ID: "AKIAFAKETESTKEY00001",
    AWS_SECRET_ACCESS_KEY: "fake-secret-for-tests",
    AWS_REGION: "eu-west-1",
    KX_PACKER: STANDIN_PACKER,
    PACKER_PLUGIN_PATH: join(dir, "plugins"),
    KX_FAKE_PACKER_LOG: join(dir, "packer.log"),
  });
});
afterAll(async () => {
  process.env = saved;
  await fake?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function capture(output: "text" | "json" = "text") {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  stdout.on("data", (c) => (out += String(c)));
  stderr.resume();
  const io = new Io({ output, stdout, stderr, color: false });
  return { io, text: () => out };
}

const globals = () => ({ stateDir: join(dir, "state"), output: "text" as const, verbose: false, color: false });

describe("kx images build", () => {
  it("builds the selected image, records it in the cluster's state, and reuses it on the next run", async () => {
    const first = capture();
    expect(await runBuild({ file: configFile, only: "etcd" }, globals(), first.io)).toBe(0);
    const ami = /etcd image\s+(ami-[0-9a-f]+)/.exec(first.text())?.[1];
    expect(ami).toBeDefined();
    const state = JSON.parse(readFileSync(join(dir, "state", "state.json"), "utf8"));
    expect(state.steps["images/etcd"]).toMatchObject({ status: "done", outputs: { amiId: ami } });
    expect(state.steps["images/node"]).toBeUndefined();
    const builds = () => fake.inventory().image?.length ?? 0;
    expect(builds()).toBe(1);

    const second = capture();
    expect(await runBuild({ file: configFile, only: ["etcd"] }, globals(), second.io)).toBe(0);
    expect(builds()).toBe(1);
  });

  it("refuses an image name it does not know before touching anything", async () => {
    await expect(runBuild({ file: configFile, only: "node,worker" }, globals(), capture().io)).rejects.toThrow("--only worker: there is no such image");
  });
});

describe("kx images list", () => {
  it("lists kx images with their version and hash, and which match the current templates", async () => {
    const config = clusterSchema.parse(CLUSTER);
    const stale = "ab".repeat(32);
    fake.registerImage({ name: "kx-node-old", tags: { "kx:role": "node", "kx:content-hash": stale, "kx:k8s-version": "1.35.0" } });
    fake.registerImage({ name: "someone-elses", tags: { Name: "not kx" } });

    const json = capture("json");
    expect(await runList({ file: configFile }, { ...globals(), output: "json" }, json.io)).toBe(0);
    const listed = JSON.parse(json.text().trim()) as { images: { role: string; contentHash: string; version: string; current: boolean }[] };
    expect(listed.images.map((i) => [i.role, i.version, i.current]).sort()).toEqual([
      ["etcd", "3.6.5", true],
      ["node", "1.35.0", false],
    ]);
    expect(listed.images.find((i) => i.role === "etcd")!.contentHash).toBe(currentContentHash(config, "etcd"));

    const text = capture();
    await runList({ file: configFile }, globals(), text.io);
    expect(text.text()).toMatch(/^IMAGE ID\s+ROLE\s+VERSION\s+CONTENT HASH\s+CREATED\s+STATE\s+CURRENT$/m);
    expect(text.text()).toMatch(/ami-[0-9a-f]+\s+node\s+1\.35\.0\s+abababababab\s+\S+\s+available\s+no/);
  });
});
