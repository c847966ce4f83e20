/**
 * kubernetes/control-plane-init: `kubeadm init` on the first master, after placing the
 * shared PKI. kubeadm init is not idempotent (a second run fails preflight), so a node
 * with /etc/kubernetes/admin.conf whose API answers is taken as initialised and skipped;
 * one with admin.conf whose API does not answer stops the run rather than re-running
 * init. The admin kubeconfig is kept in the secret store as kubeconfig/admin.
 *
 * On AWS the masters are registered with the API load balancer before init: kubeadm's
 * phases after wait-control-plane (upload-config, mark-control-plane, bootstrap-token)
 * talk to the API through controlPlaneEndpoint, the load balancer. Registering every
 * master up front is safe: an NLB whose targets are all unhealthy sends to all of them,
 * and once the first API server answers, only to the healthy ones.
 */
import { isHostsCluster } from "../../config/schema.js";
import { KxError } from "../../engine/errors.js";
import { Secret } from "../../engine/secret.js";
import type { Change, Step } from "../../engine/types.js";
import { caCertHash } from "../../pki/inspect.js";
import type { SshSession } from "../../ssh/types.js";
import type { KxContext } from "../context.js";
import { planApiTargets, registerApiTargets } from "../edge/api-load-balancer.js";
import { clusterConfiguration, initConfiguration, kubeletConfiguration, toYaml, type ClusterSettings } from "./kubeadm-config.js";
import { ADMIN_CONF, KX_DIR, apiReady, fileExists, placeFile, run, sleep } from "./remote.js";
import { clusterSettings, controlPlaneHosts } from "./settings.js";
import { placeSharedCertificates, plannedCertificateFiles } from "./shared-certificates.js";

export const INIT_STEP = "kubernetes/control-plane-init";
export const INIT_CONFIG_PATH = `${KX_DIR}/kubeadm-init.yaml`;
export const ADMIN_KUBECONFIG_SECRET = "kubeconfig/admin";

function initConfigYaml(settings: ClusterSettings, host: { nodeName: string; privateIp: string }): string {
  const node = { name: host.nodeName, privateIp: host.privateIp };
  return toYaml([initConfiguration(settings, node), clusterConfiguration(settings), kubeletConfiguration()], { reveal: false });
}

type InitState = "fresh" | "initialised" | "broken";

async function initState(session: SshSession, signal: AbortSignal, waitMs: number): Promise<{ state: InitState; detail: string }> {
  if (!(await fileExists(session, ADMIN_CONF))) return { state: "fresh", detail: "" };
  // The kubelet may be restarting the API server (after a reboot, say): give it a moment.
  const deadline = Date.now() + waitMs;
  for (;;) {
    const ready = await apiReady(session);
    if (ready.ok) return { state: "initialised", detail: "" };
    if (Date.now() >= deadline) return { state: "broken", detail: ready.detail };
    await sleep(2_000, signal);
  }
}

export interface InitStepOptions {
  /** How long an initialised node's API may take to answer before kx gives up. */
  apiWaitMs?: number;
}

export function controlPlaneInitStep(needs: string[], options: InitStepOptions = {}): Step<KxContext> {
  const apiWaitMs = options.apiWaitMs ?? 60_000;
  return {
    id: INIT_STEP,
    title: "kubeadm init on the first control-plane node",
    needs,
    inputs: (ctx) => ({ version: ctx.config.kubernetes.version, certSANs: ctx.config.kubernetes.certSANs, network: ctx.config.network }),
    async plan(ctx) {
      let first;
      let settings;
      try {
        first = (await controlPlaneHosts(ctx))[0]!;
        settings = await clusterSettings(ctx);
      } catch {
        return [{ action: "run", target: "first control-plane node", detail: "kubeadm init" }];
      }
      const files = [
        ...plannedCertificateFiles(first.name),
        { host: first.name, path: INIT_CONFIG_PATH, mode: 0o600, owner: "root:root", content: initConfigYaml(settings, first) },
      ];
      const runInit: Change = { action: "run", target: `host ${first.name}`, host: first.name, detail: "kubeadm init", files };
      const targets = isHostsCluster(ctx.config) ? [] : await planApiTargets(ctx, (await controlPlaneHosts(ctx)).map((m) => m.privateIp));
      let session: SshSession;
      try {
        session = await ctx.ssh.session(first.ssh);
      } catch {
        return [runInit]; // not reachable yet (a fresh create being planned)
      }
      const { state } = await initState(session, ctx.signal, 0);
      if (state === "fresh") return [...targets, runInit];
      if (!(await ctx.secrets.get(ADMIN_KUBECONFIG_SECRET))) {
        return [{ action: "write", target: `secret ${ADMIN_KUBECONFIG_SECRET}`, host: first.name, detail: "from /etc/kubernetes/admin.conf" }];
      }
      return [];
    },
    async apply(ctx) {
      const first = (await controlPlaneHosts(ctx))[0]!;
      const settings = await clusterSettings(ctx);
      const session = await ctx.ssh.session(first.ssh);
      const { state, detail } = await initState(session, ctx.signal, apiWaitMs);
      if (state === "broken") {
        throw new KxError(`${first.name} has ${ADMIN_CONF} but its API server does not answer (${detail}); kx does not run kubeadm init twice`, {
          source: "user",
          hint: `Look at the kubelet on ${first.name} (systemctl status kubelet). If the node never finished initialising, run \`kubeadm reset -f\` there and run kx again.`,
        });
      }
      if (state === "fresh") {
        if (!isHostsCluster(ctx.config)) await registerApiTargets(ctx, (await controlPlaneHosts(ctx)).map((m) => m.privateIp));
        await placeSharedCertificates(ctx, session);
        await placeFile(session, INIT_CONFIG_PATH, initConfigYaml(settings, first), 0o600);
        await run(session, `kubeadm config validate --config ${INIT_CONFIG_PATH}`, "kubeadm config validate");
        ctx.log.progress(first.name, "kubeadm init");
        try {
          await run(session, `kubeadm init --config ${INIT_CONFIG_PATH}`, "kubeadm init");
        } catch (e) {
          throw new KxError(`kubeadm init failed on ${first.name}`, {
            cause: e,
            hint: `Fix the cause above; if kubeadm init got past its preflight, run \`kubeadm reset -f\` on ${first.name} before running kx again.`,
          });
        }
      } else {
        ctx.log.info(`${first.name} is initialised already; kubeadm init skipped`);
      }
      const admin = await session.readFile(ADMIN_CONF, { sudo: true });
      if (!admin) throw new KxError(`${first.name}: ${ADMIN_CONF} is missing after kubeadm init`);
      if ((await ctx.secrets.get(ADMIN_KUBECONFIG_SECRET))?.reveal() !== admin) {
        await ctx.secrets.put(ADMIN_KUBECONFIG_SECRET, new Secret(admin), { description: `kx ${ctx.cluster} admin kubeconfig` });
      }
      const ca = await ctx.secrets.get("pki/ca.crt");
      return {
        firstMaster: first.name,
        nodeName: first.nodeName,
        controlPlaneEndpoint: settings.controlPlaneEndpoint,
        kubernetesVersion: settings.kubernetesVersion,
        caCertHash: ca ? caCertHash(ca.reveal()) : null,
      };
    },
  };
}
