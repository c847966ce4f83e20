/**
 * addons/gateway-api: the Gateway API's standard-channel CRDs, from the project's release
 * (no chart ships them), applied server-side as the project says: the CRDs are too big
 * for client-side apply's last-applied annotation. istiod only watches the kinds that
 * exist, so they go in first. Each CRD carries its bundle version, which is what plan
 * compares; the release's admission policy refuses a downgrade, kx does not force one.
 */
import type { ClusterConfig } from "../../config/schema.js";
import type { Change, Step } from "../../engine/types.js";
import type { SshSession } from "../../ssh/types.js";
import { shellQuote } from "../../ssh/shell.js";
import type { KxContext } from "../context.js";
import { KUBECTL, run } from "../kubernetes/remote.js";
import { controlPlaneHosts } from "../kubernetes/settings.js";

export const GATEWAY_API_STEP = "addons/gateway-api";

/** The CRD istiod's Gateway controller starts from; its bundle version stands for the set. */
const GATEWAYS_CRD = "gateways.gateway.networking.k8s.io";
const BUNDLE_VERSION = "gateway.networking.k8s.io/bundle-version";

export function gatewayApiUrl(version: string): string {
  return `https://github.com/kubernetes-sigs/gateway-api/releases/download/v${version.replace(/^v/, "")}/standard-install.yaml`;
}

/** The bundle version of the installed CRDs ("v1.5.1"), or undefined when there are none. */
export async function installedGatewayApi(session: SshSession): Promise<string | undefined> {
  const r = await session.exec(`${KUBECTL} get customresourcedefinition ${GATEWAYS_CRD} -o json`, { sudo: true, allowFailure: true, readOnly: true });
  if (r.code !== 0) {
    if (/NotFound|not found/.test(r.stderr)) return undefined;
    throw new Error(`kubectl get customresourcedefinition ${GATEWAYS_CRD} failed: ${r.stderr.trim().split("\n").slice(-3).join(" ")}`);
  }
  const crd = JSON.parse(r.stdout) as { metadata?: { annotations?: Record<string, string> } };
  return crd.metadata?.annotations?.[BUNDLE_VERSION] ?? "an unknown version";
}

export function gatewayApiStep(config: ClusterConfig, needs: string[]): Step<KxContext> {
  const version = config.addons.istio.gatewayApiVersion.replace(/^v/, "");
  const url = gatewayApiUrl(version);
  const install: Change = { action: "create", target: "gateway-api CRDs", detail: `kubectl apply --server-side standard-install.yaml v${version}` };
  return {
    id: GATEWAY_API_STEP,
    title: `Gateway API ${version} CRDs (standard channel)`,
    needs,
    inputs: () => ({ url }),
    async plan(ctx) {
      let host: string;
      let installed: string | undefined;
      try {
        const [first] = await controlPlaneHosts(ctx);
        host = first!.name;
        installed = await installedGatewayApi(await ctx.ssh.session(first!.ssh));
      } catch {
        return [install]; // no machines or no API yet (a fresh create being planned)
      }
      if (installed === `v${version}`) return [];
      return [installed ? { ...install, action: "update", host, detail: `${install.detail} (installed: ${installed})` } : { ...install, host }];
    },
    async apply(ctx) {
      const [first] = await controlPlaneHosts(ctx);
      const session = await ctx.ssh.session(first!.ssh);
      ctx.log.progress(first!.name, `kubectl apply --server-side -f ${url}`);
      await run(session, `${KUBECTL} apply --server-side -f ${shellQuote(url)}`, `kubectl apply --server-side -f standard-install.yaml (gateway-api v${version})`);
      return { version: `v${version}`, url };
    },
  };
}
