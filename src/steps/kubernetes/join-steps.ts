/**
 * kubernetes/control-plane-join joins the other masters one after the other (etcd and the
 * API stay consistent when members come one at a time); kubernetes/workers joins the
 * workers of a `hosts:` cluster (on AWS the autoscaling group's user-data does it).
 * Both skip nodes that joined already, so an interrupted run resumes where it stopped.
 */
import type { Change, Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import type { NodeHost } from "../inventory.js";
import { isJoined, joinNode, plannedJoinFiles, type JoinRole } from "./node-join.js";
import { clusterSettings, controlPlaneHosts, mastersNotLaunched } from "./settings.js";

export const CONTROL_PLANE_JOIN_STEP = "kubernetes/control-plane-join";
export const WORKERS_STEP = "kubernetes/workers";

async function hostsOf(ctx: KxContext, role: JoinRole): Promise<NodeHost[]> {
  return role === "control-plane" ? (await controlPlaneHosts(ctx)).slice(1) : ctx.inventory.hosts("worker");
}

/** Joins the hosts not joined yet, in order; returns the names it joined. */
export async function joinHosts(ctx: KxContext, hosts: NodeHost[], role: JoinRole): Promise<string[]> {
  const first = (await controlPlaneHosts(ctx))[0]!;
  const firstSession = await ctx.ssh.session(first.ssh);
  const settings = await clusterSettings(ctx);
  const joined: string[] = [];
  for (const host of hosts) {
    const session = await ctx.ssh.session(host.ssh);
    if (await isJoined(session, firstSession, host, role)) continue;
    await joinNode(ctx, firstSession, host, role, settings);
    joined.push(host.name);
  }
  return joined;
}

function joinStep(id: string, title: string, needs: string[], role: JoinRole): Step<KxContext> {
  return {
    id,
    title,
    needs,
    // Hosts added to the config must be joined by the next run, even after this step finished.
    inputs: (ctx) =>
      (ctx.config.hosts ?? [])
        .filter((h) => h.roles.includes(role))
        .map((h) => ({ name: h.name, address: h.privateAddress ?? h.address })),
    async plan(ctx) {
      let hosts: NodeHost[];
      try {
        hosts = await hostsOf(ctx, role);
      } catch {
        return [{ action: "run", target: role === "control-plane" ? "other control-plane nodes" : "workers", detail: "kubeadm join" }];
      }
      const changes: Change[] = [];
      let settings;
      let firstSession;
      try {
        settings = await clusterSettings(ctx);
        firstSession = await ctx.ssh.session((await controlPlaneHosts(ctx))[0]!.ssh);
      } catch {
        // planned before the machines exist
      }
      for (const host of hosts) {
        if (firstSession) {
          try {
            if (await isJoined(await ctx.ssh.session(host.ssh), firstSession, host, role)) continue;
          } catch {
            // unreachable yet: planned as a join
          }
        }
        changes.push({
          action: "run",
          target: `host ${host.name}`,
          host: host.name,
          detail: role === "control-plane" ? "kubeadm join --control-plane" : "kubeadm join",
          ...(settings ? { files: plannedJoinFiles(settings, host, role) } : {}),
        });
      }
      if (role === "control-plane") {
        for (const p of await mastersNotLaunched(ctx, { joining: true })) {
          changes.push({ action: "run", target: `host ${p.name}`, host: p.name, detail: `kubeadm join --control-plane, once its instance in ${p.zone} runs` });
        }
      }
      return changes;
    },
    async apply(ctx) {
      const hosts = await hostsOf(ctx, role);
      const joined = await joinHosts(ctx, hosts, role);
      if (joined.length) ctx.log.info(`joined ${joined.join(", ")}`);
      return { nodes: hosts.map((h) => h.name) };
    },
  };
}

export function controlPlaneJoinStep(needs: string[]): Step<KxContext> {
  return joinStep(CONTROL_PLANE_JOIN_STEP, "Join the other control-plane nodes", needs, "control-plane");
}

export function workersJoinStep(needs: string[]): Step<KxContext> {
  return joinStep(WORKERS_STEP, "Join the workers", needs, "worker");
}
