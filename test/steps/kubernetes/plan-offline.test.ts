/**
 * Planning a fresh AWS create without credentials or machines: every kubernetes step
 * plans its work without touching AWS, SSH or the secret store; the token timer files
 * render and pass shellcheck.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SecretStore } from "../../../src/secrets/store.js";
import { KUBERNETES_STEP, kubernetesSteps } from "../../../src/steps/kubernetes/index.js";
import { renderTemplate } from "../../../src/steps/kubernetes/templates.js";
import { fakeContext } from "../pki/fake-context.js";

const untouchable: SecretStore = {
  get: () => Promise.reject(new Error("secret store called")),
  put: () => Promise.reject(new Error("secret store called")),
  list: () => Promise.reject(new Error("secret store called")),
  delete: () => Promise.reject(new Error("secret store called")),
};

describe("kubernetes steps on AWS, planned offline", () => {
  const ctx = fakeContext({
    config: { region: "eu-west-1", zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"], dns: { zone: "lab.example.com" } },
    secrets: untouchable,
    awsLive: false,
    inventory: {
      hosts: () => Promise.reject(new Error("machines not created yet")),
      bastion: async () => undefined,
    },
  });
  const steps = kubernetesSteps(ctx.config);

  it("lists init, joins, endpoint, join info and the token timer, with their needs", () => {
    expect(steps.map((s) => s.id)).toEqual([
      KUBERNETES_STEP.init,
      KUBERNETES_STEP.controlPlaneJoin,
      KUBERNETES_STEP.apiEndpoint,
      KUBERNETES_STEP.joinInfo,
      KUBERNETES_STEP.tokenRefreshTimer,
      KUBERNETES_STEP.workersJoined,
    ]);
    expect(steps[0]!.needs).toEqual(expect.arrayContaining(["pki/kubernetes-ca", "pki/etcd-clients", "etcd/cluster", "edge/api-lb", "machines/control-plane:eu-west-1c"]));
    expect(steps[2]!.needs).toContain("edge/api-lb");
  });

  it("plans every step as work to do, touching nothing", async () => {
    for (const step of steps) {
      const plan = await step.plan(ctx);
      expect(plan.length, step.id).toBeGreaterThan(0);
    }
  });

  it("a hosts cluster joins workers over SSH instead of installing the timer", () => {
    const hostsCtx = fakeContext({ config: { hosts: [{ name: "m", address: "10.0.0.1", roles: ["control-plane", "etcd"] }] }, secrets: untouchable });
    const ids = kubernetesSteps(hostsCtx.config).map((s) => s.id);
    expect(ids).toContain(KUBERNETES_STEP.workers);
    expect(ids).not.toContain(KUBERNETES_STEP.tokenRefreshTimer);
    expect(ids).not.toContain(KUBERNETES_STEP.workersJoined);
  });
});

describe("the token renewal timer", () => {
  it("renders a script shellcheck accepts, writing the token to SSM from a 0600 file", () => {
    const script = renderTemplate("kx-join-token.sh", { cluster: "lab", region: "eu-west-1" });
    expect(script).toContain("PARAMETER=\"/kx/${CLUSTER}/join/token\"");
    expect(script).toContain("CLUSTER='lab'");
    expect(script).toContain("--ttl 48h");
    expect(script).toContain('--value "file://$tmp"');
    const dir = mkdtempSync(join(tmpdir(), "kx-timer-"));
    try {
      writeFileSync(join(dir, "s.sh"), script);
      execFileSync("shellcheck", [join(dir, "s.sh")]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const timer = renderTemplate("kx-join-token.timer", {});
    expect(timer).toMatch(/OnUnitActiveSec=12h/);
    expect(renderTemplate("kx-join-token.service", {})).toMatch(/ExecStart=\/usr\/local\/lib\/kx\/kx-join-token.sh/);
  });

  it("refuses values that would break out of the script's quotes", () => {
    expect(() => renderTemplate("kx-join-token.sh", { cluster: "lab'; rm -rf /", region: "x" })).toThrow(/may not contain quotes/);
    expect(() => renderTemplate("kx-join-token.sh", { cluster: "lab" })).toThrow(/no value for \{\{region\}\}/);
  });
});

describe("waiting for the API", () => {
  it("gives up with a message naming the endpoint and what to check", async () => {
    const { apiEndpointStep } = await import("../../../src/steps/kubernetes/api-endpoint.js");
    const failing = {
      target: { name: "m", address: "10.0.0.1", port: 22, user: "root", privateKeyFile: "/dev/null" },
      exec: async () => ({ code: 1, stdout: "", stderr: "The connection to the server was refused: dial tcp 10.0.0.1:6443: connect: connection refused" }),
      upload: async () => {},
      readFile: async () => undefined,
    };
    const ctx = fakeContext({
      config: { hosts: [{ name: "m", address: "10.0.0.1", roles: ["control-plane"] }] },
      secrets: untouchable,
      ssh: { session: async () => failing, close: async () => {} },
      inventory: {
        hosts: async (role) => (role === "control-plane" ? [{ name: "m", role, privateIp: "10.0.0.1", nodeName: "m", ssh: failing.target }] : []),
        bastion: async () => undefined,
      },
    });
    const step = apiEndpointStep([], { timeoutMs: 1 });
    expect(await step.plan(ctx)).toEqual([{ action: "run", target: "API endpoint", detail: "wait for /readyz" }]);
    await expect(step.apply(ctx, [])).rejects.toThrow(/did not become healthy at https:\/\/10\.0\.0\.1:6443 within 0s \(last answer, from m: The connection to the server was refused/);
  });
});
