/**
 * `kx create cluster` through the real binary, with no AWS account: the README's main
 * command (a full dry run of the example), its JSON event stream, --show-files, and the
 * errors a user can cause before anything is touched.
 */
import { describe, expect, it, beforeAll } from "vitest";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runKx } from "../helpers/kx.js";

const EXAMPLE = new URL("../../examples/cluster.yaml", import.meta.url).pathname;

/** No credentials anywhere: a fresh HOME, no keys, no instance metadata. */
function noAws(home: string): NodeJS.ProcessEnv {
  return {
    HOME: home,
    AWS_ACCESS_KEY_ID: "",
    AWS_SECRET_ACCESS_KEY: "",
    AWS_SESSION_TOKEN: "",
    AWS_PROFILE: "",
    AWS_CONFIG_FILE: join(home, "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home, "no-aws-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_ENDPOINT_URL: "",
  };
}

describe("kx create cluster without an AWS account", () => {
  let home: string;
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), "kx-create-"));
  });

  it("plans the whole example cluster in a dry run, says it planned as for an empty account, and writes no state", async () => {
    const r = await runKx(["create", "cluster", "-f", EXAMPLE, "--dry-run"], { env: noAws(home) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("planned as for an empty account");
    for (const area of ["images", "network", "security", "edge", "machines", "pki", "etcd", "kubernetes"]) {
      expect(r.stdout).toMatch(new RegExp(`^${area}$`, "m"));
    }
    expect(r.stdout).toMatch(/\+ create\s+nat gateway eu-west-1c/);
    expect(r.stdout).toMatch(/\+ create\s+route table private eu-west-1b\s+0\.0\.0\.0\/0 → nat-gateway/);
    expect(r.stdout).toMatch(/kubeadm init/);
    expect(existsSync(join(home, ".kx", "lab", "state.json"))).toBe(false);
  });

  it("prints one JSON object per line with --output json, ending with the plan", async () => {
    const r = await runKx(["--output", "json", "create", "cluster", "-f", EXAMPLE, "--dry-run"], { env: noAws(home) });
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout.trim().split("\n").map((line) => JSON.parse(line) as { type: string; id?: string; durationMs?: number });
    expect(events.find((e) => e.type !== "message")?.type).toBe("run-started");
    const finished = events.filter((e) => e.type === "step-finished");
    expect(finished.length).toBeGreaterThan(50);
    for (const e of finished) {
      expect(typeof e.id).toBe("string");
      expect(typeof e.durationMs).toBe("number");
    }
    const plan = events.at(-1) as unknown as { type: string; totalChanges: number; areas: { area: string }[] };
    expect(plan.type).toBe("plan");
    expect(plan.totalChanges).toBeGreaterThan(100);
    expect(plan.areas.map((a) => a.area)).toContain("network");
  });

  it("with --show-files prints the files kx would write on each host, secrets masked", async () => {
    const r = await runKx(["create", "cluster", "-f", EXAMPLE, "--dry-run", "--show-files"], { env: noAws(home) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("/etc/systemd/system/etcd.service");
    expect(r.stdout).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY/);
  });

  it("refuses a real create without credentials: exit 2, one clear message, nothing written", async () => {
    const r = await runKx(["create", "cluster", "-f", EXAMPLE, "--yes"], { env: noAws(home) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no usable AWS credentials/);
    expect(r.stderr).toMatch(/--profile|AWS_PROFILE/);
    expect(existsSync(join(home, ".kx", "lab", "state.json"))).toBe(false);
  });

  it("without a file and without a terminal names every key that has no default (exit 2)", async () => {
    const r = await runKx(["create", "cluster"], { env: noAws(home) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/name.*is required/);
    expect(r.stderr).toMatch(/region/);
    expect(r.stderr).toMatch(/dns/);
  });

  it("reports every problem of a bad file with its line, exit 2, nothing touched", async () => {
    const bad = join(home, "bad.yaml");
    writeFileSync(
      bad,
      ["apiVersion: kx.dev/v1alpha1", "kind: Cluster", "name: Bad_Name", "region: eu-west-1", "dns: { zone: lab.example.com }", "etcd:", "  count: 2", "workers:", "  min: 5", "  max: 3", ""].join("\n"),
    );
    const r = await runKx(["create", "cluster", "-f", bad, "--dry-run"], { env: noAws(home) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/name \(line 3\)/);
    expect(r.stderr).toMatch(/etcd\.count \(line 7\)/);
    expect(r.stderr).toMatch(/workers\.\w+ \(line (9|10)\)/);
    expect(existsSync(join(home, ".kx", "Bad_Name"))).toBe(false);
  });

  it("refuses --show-files without --dry-run", async () => {
    const r = await runKx(["create", "cluster", "-f", EXAMPLE, "--show-files"], { env: noAws(home) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--show-files goes with --dry-run");
  });
});
