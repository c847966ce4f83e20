/**
 * etcd/cluster: waits until every member is healthy and a member of one cluster, checked
 * with the healthcheck client certificate (so TLS client authentication is proven too).
 * Fails early, with the unit's log, when a member's service died.
 */
import { KxError, SshError } from "../../engine/errors.js";
import { redact } from "../../engine/secret.js";
import type { Change, Outputs, Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import type { NodeHost } from "../inventory.js";
import { etcdctl, parseHealth, parseMemberList } from "./etcdctl.js";
import { CLUSTER_STEP_ID, clientUrl, etcdHosts, memberStepId, type ResolvedOptions } from "./members.js";

interface Health {
  healthy: boolean;
  detail: string;
}

export function clusterStep(memberNames: string[], options: ResolvedOptions): Step<KxContext> {
  return {
    id: CLUSTER_STEP_ID,
    title: "etcd cluster healthy",
    needs: memberNames.map(memberStepId),
    async plan(ctx) {
      const hosts = await etcdHosts(ctx);
      const wait: Change[] = [{ action: "run", target: "etcd cluster", detail: `wait until all ${memberNames.length} members are healthy` }];
      if (hosts.length < memberNames.length) return wait;
      const health = await checkHealth(ctx, hosts, options).catch(() => undefined);
      return health?.healthy ? [] : wait;
    },
    async apply(ctx) {
      const hosts = await etcdHosts(ctx);
      if (hosts.length === 0) throw new KxError("no etcd hosts in the inventory");
      await waitHealthy(ctx, hosts, options);
      return { endpoints: hosts.map(clientUrl) } satisfies Outputs;
    },
  };
}

async function checkHealth(ctx: KxContext, hosts: NodeHost[], options: ResolvedOptions): Promise<Health> {
  let last: unknown;
  // Ask from the first member that answers over SSH.
  for (const host of hosts) {
    try {
      const session = await ctx.ssh.session(host.ssh);
      const endpoints = hosts.map(clientUrl);
      const run = (args: string) =>
        session.exec(etcdctl(options.binDir, endpoints, "healthcheck-client", args), {
          sudo: true,
          readOnly: true,
          allowFailure: true,
          retryOnDisconnect: true,
          label: "etcdctl health",
        });
      const health = await run("endpoint health -w json");
      const states = parseHealth(health.stdout);
      const sick = hosts.map(clientUrl).filter((url) => !states.some((s) => s.endpoint === url && s.health));
      if (sick.length > 0) {
        const why = states.find((s) => s.error)?.error ?? (health.stderr.trim().split("\n").pop() || "no answer");
        return { healthy: false, detail: `not healthy: ${sick.join(", ")} (${redact(why)})` };
      }
      const list = await run("member list -w json");
      const members = parseMemberList(list.stdout);
      const started = members.filter((m) => m.name).map((m) => m.name!);
      const missing = hosts.filter((h) => !started.includes(h.name)).map((h) => h.name);
      if (missing.length > 0) return { healthy: false, detail: `members not started: ${missing.join(", ")}` };
      return { healthy: true, detail: `${hosts.length} members healthy` };
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

async function waitHealthy(ctx: KxContext, hosts: NodeHost[], options: ResolvedOptions): Promise<void> {
  const deadline = Date.now() + options.healthTimeoutMs;
  let delay = 300;
  let round = 0;
  let health: Health = { healthy: false, detail: "not checked yet" };
  for (;;) {
    health = await checkHealth(ctx, hosts, options);
    if (health.healthy) {
      ctx.log.info(`etcd: ${health.detail}`);
      return;
    }
    ctx.log.progress("etcd", health.detail);
    if (++round % 3 === 0) await failOnDeadMember(ctx, hosts);
    if (ctx.signal.aborted) throw new KxError("interrupted while waiting for etcd");
    if (Date.now() + delay > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 3_000);
  }
  await failOnDeadMember(ctx, hosts);
  throw new KxError(`etcd did not become healthy within ${Math.round(options.healthTimeoutMs / 1000)} s: ${health.detail}`, {
    hint: "Check the members' logs (journalctl -u etcd) with `kx ssh <member>`; ports 2379/2380 must be open between them.",
  });
}

/** A member whose service died will not come back by waiting: say so with its log. */
async function failOnDeadMember(ctx: KxContext, hosts: NodeHost[]): Promise<void> {
  for (const host of hosts) {
    const session = await ctx.ssh.session(host.ssh);
    const state = await session.exec("systemctl is-active etcd", { sudo: true, readOnly: true, allowFailure: true, retryOnDisconnect: true });
    if (state.stdout.trim() !== "failed" && state.stdout.trim() !== "inactive") continue;
    const log = await session.exec("journalctl -u etcd -n 20 --no-pager", { sudo: true, readOnly: true, allowFailure: true });
    throw new SshError(host.name, `etcd is ${state.stdout.trim()} on ${host.name}`, {
      command: "systemctl is-active etcd",
      stderrTail: redact(log.stdout.trim()),
      hint: "The unit's log is above; fix the cause and run kx again (members with data are never re-initialised).",
    });
  }
}
