/**
 * The kubernetes steps: kubeadm init on the first master, the other masters joined one
 * after the other, the API endpoint registered and healthy, the join information
 * published, then (AWS) the token renewal timer or (hosts) the workers joined over SSH.
 *
 * Also the functions `kx join` builds on: joinWorkers, joinControlPlane, refreshJoinToken.
 */
import { isHostsCluster, type ClusterConfig } from "../../config/schema.js";
import type { Secret } from "../../engine/secret.js";
import type { Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import type { NodeHost } from "../inventory.js";
import { placements } from "../machines/placement.js";
import { PKI_STEP } from "../pki/index.js";
import { API_ENDPOINT_STEP, apiEndpointStep } from "./api-endpoint.js";
import { INIT_STEP, controlPlaneInitStep } from "./control-plane-init.js";
import { CONTROL_PLANE_JOIN_STEP, WORKERS_STEP, controlPlaneJoinStep, joinHosts, workersJoinStep } from "./join-steps.js";
import { JOIN_INFO_STEP, joinInfoStep } from "./join-info-step.js";
import { clusterCaHash, createJoinToken, publishJoinInfo } from "./join-token.js";
import { API_LB_STEP, ETCD_CLUSTER_STEP, clusterSettings, controlPlaneHosts } from "./settings.js";
import { TOKEN_REFRESH_STEP, tokenRefreshTimerStep } from "./token-refresh-timer.js";
import { WORKERS_JOINED_STEP, workersJoinedStep } from "./workers-joined.js";

export const KUBERNETES_STEP = {
  init: INIT_STEP,
  controlPlaneJoin: CONTROL_PLANE_JOIN_STEP,
  apiEndpoint: API_ENDPOINT_STEP,
  joinInfo: JOIN_INFO_STEP,
  tokenRefreshTimer: TOKEN_REFRESH_STEP,
  workers: WORKERS_STEP,
  workersJoined: WORKERS_JOINED_STEP,
} as const;

export { ADMIN_KUBECONFIG_SECRET } from "./control-plane-init.js";
export { JOIN_SECRETS } from "./join-token.js";
export { RESET_STEP, resetStep } from "./reset.js";

export interface KubernetesStepOptions {
  /** How long kx waits for the API through the control-plane endpoint (default 5 minutes). */
  apiTimeoutMs?: number;
  /** How long kx waits for the autoscaled workers to join (default 15 minutes). */
  workersTimeoutMs?: number;
}

export function kubernetesSteps(config: ClusterConfig, options: KubernetesStepOptions = {}): Step<KxContext>[] {
  const hosts = isHostsCluster(config);
  const pki = [PKI_STEP.kubernetesCa, PKI_STEP.frontProxyCa, PKI_STEP.serviceAccount, PKI_STEP.etcdClients];
  const masters = hosts ? [] : placements(config, "control-plane").map((p) => p.stepId);
  const steps = [
    controlPlaneInitStep([...pki, ETCD_CLUSTER_STEP, ...(hosts ? [] : [API_LB_STEP]), ...masters]),
    // Needing every master's instance orders a master added by `kx join --control-plane`
    // before the join, and re-plans this step (and those after it) when one is added.
    controlPlaneJoinStep([INIT_STEP, ...masters]),
    apiEndpointStep([CONTROL_PLANE_JOIN_STEP, ...(hosts ? [] : [API_LB_STEP])], { timeoutMs: options.apiTimeoutMs }),
    joinInfoStep([API_ENDPOINT_STEP]),
  ];
  if (hosts) steps.push(workersJoinStep([JOIN_INFO_STEP]));
  else {
    steps.push(
      // The timer goes on every master, so a master added later gets it too.
      tokenRefreshTimerStep([JOIN_INFO_STEP, CONTROL_PLANE_JOIN_STEP]),
      workersJoinedStep([JOIN_INFO_STEP], config.workers.desired, { timeoutMs: options.workersTimeoutMs }),
    );
  }
  return steps;
}

/** `kx join` for listed hosts: joins the workers not joined yet; returns their names. */
export function joinWorkers(ctx: KxContext, hosts: NodeHost[]): Promise<string[]> {
  return joinHosts(ctx, hosts, "worker");
}

/** `kx join --control-plane`: joins one more master (its certificates placed first). */
export async function joinControlPlane(ctx: KxContext, host: NodeHost): Promise<boolean> {
  return (await joinHosts(ctx, [host], "control-plane")).length > 0;
}

/** A fresh 48h token in join/token (and join/endpoint, join/ca-hash up to date): `kx join` on AWS before scaling the group. */
export async function refreshJoinToken(ctx: KxContext): Promise<Secret> {
  const settings = await clusterSettings(ctx);
  const session = await ctx.ssh.session((await controlPlaneHosts(ctx))[0]!.ssh);
  const token = await createJoinToken(ctx, session);
  await publishJoinInfo(ctx, settings.controlPlaneEndpoint, await clusterCaHash(ctx));
  return token;
}
