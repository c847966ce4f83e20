/** kubernetes/workers-ready: waits for the group's workers to be Ready, and names what did not join. */
import { describe, expect, it } from "vitest";
import type { SshPool, SshSession } from "../../../src/ssh/types.js";
import { WORKERS_READY_STEP, workersReadyStep } from "../../../src/steps/kubernetes/workers-ready.js";
import type { NodeHost } from "../../../src/steps/inventory.js";
import type { SecretStore } from "../../../src/secrets/store.js";
import { fakeContext } from "../pki/fake-context.js";

const master: NodeHost = { name: "master-a", role: "control-plane", privateIp: "10.0.64.5", nodeName: "ip-10-0-64-5", ssh: { host: "10.0.64.5", port: 22, user: "ubuntu" } as NodeHost["ssh"] };

const node = (name: string, ready: boolean, controlPlane = false) => ({
  metadata: { name, labels: controlPlane ? { "node-role.kubernetes.io/control-plane": "" } : {} },
  status: { conditions: [{ type: "Ready", status: ready ? "True" : "False" }], nodeInfo: { kubeletVersion: "v1.36.1" } },
});

/** A pool whose master answers `kubectl get nodes` from a list of answers, one per call (the last repeats). */
function kubectlAnswers(answers: object[][]): { pool: SshPool; commands: string[] } {
  const commands: string[] = [];
  let i = 0;
  const session = {
    target: master.ssh,
    exec: async (command: string) => {
      commands.push(command);
      if (!command.includes("get nodes -o json")) throw new Error(`unexpected command ${command}`);
      const items = answers[Math.min(i++, answers.length - 1)];
      return { code: 0, stdout: JSON.stringify({ items }), stderr: "" };
    },
  } as unknown as SshSession;
  return { pool: { session: async () => session, close: async () => {} }, commands };
}

function context(pool: SshPool) {
  return fakeContext({
    config: { region: "eu-west-1", zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"] },
    secrets: {} as SecretStore,
    hosts: [master],
    ssh: pool,
  });
}

describe(WORKERS_READY_STEP, () => {
  it("plans nothing when the workers are Ready, and a wait when they are not", async () => {
    const ready = kubectlAnswers([[node("m", true, true), node("w1", true), node("w2", true)]]);
    expect(await workersReadyStep([], 2).plan(context(ready.pool))).toEqual([]);
    const joining = kubectlAnswers([[node("m", true, true), node("w1", true)]]);
    expect(await workersReadyStep([], 2).plan(context(joining.pool))).toEqual([{ action: "run", target: "workers", detail: "wait until 2 workers are Ready" }]);
  });

  it("waits until enough workers are Ready, not counting the control plane", async () => {
    const { pool, commands } = kubectlAnswers([[node("m", true, true)], [node("m", true, true), node("w1", false)], [node("m", true, true), node("w1", true)]]);
    const ctx = context(pool);
    expect(await workersReadyStep([], 1, { timeoutMs: 60_000, pollMs: 5 }).apply(ctx, [])).toEqual({ workersReady: 1 });
    expect(commands).toHaveLength(3);
    expect(ctx.logLines).toContain("progress workers 0 of 1 Ready");
  });

  it("gives up after its timeout naming the workers that registered but are not Ready", async () => {
    const { pool } = kubectlAnswers([[node("m", true, true), node("w1", true), node("ip-10-0-128-9", false)]]);
    const error = await workersReadyStep([], 3, { timeoutMs: 1 }).apply(context(pool), []).catch((e: Error & { hint?: string }) => e);
    expect(error).toMatchObject({ message: expect.stringContaining("only 1 of 3 workers are Ready") });
    expect((error as Error).message).toContain("registered but not Ready: ip-10-0-128-9");
    expect((error as { hint?: string }).hint).toContain("/var/log/cloud-init-output.log");
  });
});
