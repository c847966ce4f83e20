/**
 * kubernetes/workers-ready (AWS clusters): waits until as many workers are Ready as the
 * autoscaling group wants. Workers join on their own from user data once the join
 * information is in SSM; a create (or `kx join --workers`) ends when they have, so the
 * cluster it reports is the cluster there is — and a worker that cannot join is named
 * here, not discovered later.
 */
import { KxError } from "../../engine/errors.js";
import type { Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { ASG_STEP, autoScalingGroupName, workerGroupDesired } from "../machines/worker-asg.js";
import { isControlPlaneNode, listNodes, type ClusterNode } from "./nodes.js";
import { sleep } from "./remote.js";
import { controlPlaneHosts } from "./settings.js";

export const WORKERS_READY_STEP = "kubernetes/workers-ready";

export interface WorkersReadyOptions {
  /** How long the workers get to join (default 15 minutes: an instance boots, pulls and joins). */
  timeoutMs?: number;
  /** The first pause between looks (default 2 s, doubling to 15 s). */
  pollMs?: number;
}

const workersOf = (nodes: ClusterNode[]) => nodes.filter((n) => !isControlPlaneNode(n));

export function workersReadyStep(needs: string[], wantedInConfig: number, options: WorkersReadyOptions = {}): Step<KxContext> {
  const timeoutMs = options.timeoutMs ?? 15 * 60_000;
  const readyCount = async (ctx: KxContext) => workersOf(await listNodes(await ctx.ssh.session((await controlPlaneHosts(ctx))[0]!.ssh))).filter((n) => n.ready).length;
  const wanted = async (ctx: KxContext) => (ctx.aws.live ? await workerGroupDesired(ctx.aws, ctx.cluster) : undefined) ?? wantedInConfig;
  return {
    id: WORKERS_READY_STEP,
    title: "Wait until the workers have joined and are Ready",
    needs: [...needs, ASG_STEP],
    inputs: () => ({ workers: wantedInConfig }),
    async plan(ctx) {
      const want = await wanted(ctx);
      try {
        if ((await readyCount(ctx)) >= want) return [];
      } catch {
        // no cluster to ask yet
      }
      return want === 0 ? [] : [{ action: "run", target: "workers", detail: `wait until ${want} ${want === 1 ? "worker is" : "workers are"} Ready` }];
    },
    async apply(ctx) {
      const want = await wanted(ctx);
      const deadline = Date.now() + timeoutMs;
      let delay = options.pollMs ?? 2_000;
      let reported = -1;
      for (;;) {
        const nodes = workersOf(await listNodes(await ctx.ssh.session((await controlPlaneHosts(ctx))[0]!.ssh)));
        const ready = nodes.filter((n) => n.ready).length;
        if (ready >= want) return { workersReady: ready };
        if (ready !== reported) ctx.log.progress("workers", `${ready} of ${want} Ready`);
        reported = ready;
        if (Date.now() + delay > deadline) {
          const notReady = nodes.filter((n) => !n.ready).map((n) => n.name);
          throw new KxError(
            `only ${ready} of ${want} workers are Ready after ${Math.round(timeoutMs / 60_000)} min` +
              (notReady.length ? ` (registered but not Ready: ${notReady.join(", ")})` : ` (${want - nodes.length} never registered)`),
            {
              hint:
                `The workers join from their user data: on an instance of ${autoScalingGroupName(ctx.cluster)}, /var/log/cloud-init-output.log says why one did not ` +
                "(reaching the API load balancer on 6443, reading /kx/<cluster>/join/* from SSM). Run the same command again to keep waiting.",
            },
          );
        }
        await sleep(delay, ctx.signal);
        delay = Math.min(delay * 2, 15_000);
      }
    },
  };
}
