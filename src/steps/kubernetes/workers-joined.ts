/**
 * kubernetes/workers-joined (AWS clusters): waits until as many workers have joined as
 * the autoscaling group wants. Workers join on their own from user data once the join
 * information is in SSM; a create (or `kx join --workers`) ends when they have, so the
 * cluster it reports is the cluster there is — and a worker that cannot join is named
 * here, not discovered later.
 *
 * Joined, not Ready: a real node is Ready only once its pod network is up, which the
 * CNI add-on brings after this step.
 */
import { KxError } from "../../engine/errors.js";
import type { Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { ASG_STEP, autoScalingGroupName, workerGroupDesired } from "../machines/worker-asg.js";
import { isControlPlaneNode, listNodes } from "./nodes.js";
import { sleep } from "./remote.js";
import { controlPlaneHosts } from "./settings.js";

export const WORKERS_JOINED_STEP = "kubernetes/workers-joined";

export interface WorkersJoinedOptions {
  /** How long the workers get to join (default 15 minutes: an instance boots, pulls and joins). */
  timeoutMs?: number;
  /** The first pause between looks (default 2 s, doubling to 15 s). */
  pollMs?: number;
}

export function workersJoinedStep(needs: string[], wantedInConfig: number, options: WorkersJoinedOptions = {}): Step<KxContext> {
  const timeoutMs = options.timeoutMs ?? 15 * 60_000;
  const workers = async (ctx: KxContext) => (await listNodes(await ctx.ssh.session((await controlPlaneHosts(ctx))[0]!.ssh))).filter((n) => !isControlPlaneNode(n));
  const wanted = async (ctx: KxContext) => (ctx.aws.live ? await workerGroupDesired(ctx.aws, ctx.cluster) : undefined) ?? wantedInConfig;
  return {
    id: WORKERS_JOINED_STEP,
    title: "Wait until the autoscaled workers have joined",
    needs: [...needs, ASG_STEP],
    inputs: () => ({ workers: wantedInConfig }),
    async plan(ctx) {
      const want = await wanted(ctx);
      try {
        if ((await workers(ctx)).length >= want) return [];
      } catch {
        // no cluster to ask yet
      }
      return want === 0 ? [] : [{ action: "run", target: "workers", detail: `wait until ${want} ${want === 1 ? "worker has" : "workers have"} joined` }];
    },
    async apply(ctx) {
      const want = await wanted(ctx);
      const deadline = Date.now() + timeoutMs;
      let delay = options.pollMs ?? 2_000;
      let reported = -1;
      for (;;) {
        const joined = await workers(ctx);
        if (joined.length >= want) return { workersJoined: joined.length };
        if (joined.length !== reported) ctx.log.progress("workers", `${joined.length} of ${want} joined`);
        reported = joined.length;
        if (Date.now() + delay > deadline) {
          throw new KxError(
            `only ${joined.length} of ${want} workers joined within ${Math.round(timeoutMs / 60_000)} min` +
              (joined.length ? ` (joined: ${joined.map((n) => n.name).join(", ")})` : ""),
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
