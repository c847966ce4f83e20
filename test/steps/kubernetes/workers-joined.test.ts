/** kubernetes/workers-joined: waits for the group's workers to join, and says how far they got. */
import { describe, expect, it } from "vitest";
import type { SecretStore } from "../../../src/secrets/store.js";
import type { SshPool, SshSession } from "../../../src/ssh/types.js";
import { WORKERS_JOINED_STEP, workersJoinedStep } from "../../../src/steps/kubernetes/workers-joined.js";
import type { NodeHost } from "../../../src/steps/inventory.js";
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
  return fakeContext({ config: { region: "eu-west-1", zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"] }, secrets: {} as SecretStore, hosts: [master], ssh: pool });
}

describe(WORKERS_JOINED_STEP, () => {
  it("plans nothing when the workers have joined (Ready or not: the network comes later), and a wait when they have not", async () => {
    const joined = kubectlAnswers([[node("m", true, true), node("w1", false), node("w2", true)]]);
    expect(await workersJoinedStep([], 2).plan(context(joined.pool))).toEqual([]);
    const joining = kubectlAnswers([[node("m", true, true), node("w1", true)]]);
    expect(await workersJoinedStep([], 2).plan(context(joining.pool))).toEqual([{ action: "run", target: "workers", detail: "wait until 2 workers have joined" }]);
  });

  it("waits until enough workers have joined, not counting the control plane", async () => {
    const { pool, commands } = kubectlAnswers([[node("m", true, true)], [node("m", true, true)], [node("m", true, true), node("w1", false)]]);
    const ctx = context(pool);
    expect(await workersJoinedStep([], 1, { timeoutMs: 60_000, pollMs: 5 }).apply(ctx, [])).toEqual({ workersJoined: 1 });
    expect(commands).toHaveLength(3);
    expect(ctx.logLines).toContain("progress workers 0 of 1 joined");
  });

  it("gives up after its timeout saying how many joined, and where to look", async () => {
    const { pool } = kubectlAnswers([[node("m", true, true), node("ip-10-0-128-9", true)]]);
    const error = await workersJoinedStep([], 3, { timeoutMs: 1 }).apply(context(pool), []).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/^only 1 of 3 workers joined within 0 min \(joined: ip-10-0-128-9\)/);
    expect((error as { hint?: string }).hint).toContain("/var/log/cloud-init-output.log");
  });
});
