/**
 * One add-on as a step: a Helm release (and any manifests that go with it) installed
 * from the first control-plane node. Plan compares the release with what is deployed;
 * apply installs or upgrades it, then applies the manifests.
 */
import type { Change, PlannedFile, Step } from "../../engine/types.js";
import type { SshSession } from "../../ssh/types.js";
import type { KxContext } from "../context.js";
import { KUBECTL, placeFile, run, KX_DIR } from "../kubernetes/remote.js";
import { controlPlaneHosts } from "../kubernetes/settings.js";
import { installRelease, releaseState, renderValues, valuesPath, type HelmRelease } from "./helm.js";

export interface AddonDefinition {
  id: string;
  title: string;
  needs: string[];
  /** The release: where its chart comes from, which version, where it goes. */
  release: Omit<HelmRelease, "values">;
  /** Its values, from the config and earlier steps' outputs. */
  values(ctx: KxContext): Promise<Record<string, unknown>>;
  /** The config settings the values come from: a change to them runs the step again. */
  settings: unknown;
  /** Kubernetes objects applied after the release (a StorageClass), as YAML documents by file name. */
  manifests?(ctx: KxContext): Record<string, string>;
  /** What must hold before the step is done (every node Ready once the network is in). */
  settled?(ctx: KxContext, session: SshSession): Promise<void>;
}

const manifestPath = (name: string) => `${KX_DIR}/addons/${name}`;

export function addonStep(def: AddonDefinition): Step<KxContext> {
  const release = async (ctx: KxContext): Promise<HelmRelease> => ({ ...def.release, values: await def.values(ctx) });
  const files = (ctx: KxContext, host: string, r: HelmRelease): PlannedFile[] => {
    const manifests = Object.entries(def.manifests?.(ctx) ?? {});
    return [
      { host, path: valuesPath(r), mode: 0o600, owner: "root:root", content: renderValues(r) },
      ...manifests.map(([name, content]) => ({ host, path: manifestPath(name), mode: 0o600, owner: "root:root", content })),
    ];
  };
  return {
    id: def.id,
    title: def.title,
    needs: def.needs,
    inputs: () => ({ release: def.release, settings: def.settings }),
    async plan(ctx) {
      const { chart, version, namespace, release: name } = def.release;
      const install: Change = { action: "create", target: `release ${namespace}/${name}`, detail: `helm install ${chart} ${version}` };
      let host: string;
      let r: HelmRelease;
      try {
        host = (await controlPlaneHosts(ctx))[0]!.name;
        r = await release(ctx);
      } catch {
        return [install]; // the machines or the API endpoint are not there yet (a fresh create being planned)
      }
      let state: Awaited<ReturnType<typeof releaseState>> | undefined;
      try {
        state = await releaseState(await ctx.ssh.session((await controlPlaneHosts(ctx))[0]!.ssh), r);
      } catch {
        // no cluster to ask yet
      }
      if (state?.kind === "current") return [];
      const withFiles = { ...install, host, files: files(ctx, host, r) };
      return [state?.kind === "differs" ? { ...withFiles, action: "update", detail: `helm upgrade ${chart} ${version} (${state.why})` } : withFiles];
    },
    async apply(ctx) {
      const [first] = await controlPlaneHosts(ctx);
      const session = await ctx.ssh.session(first!.ssh);
      const r = await release(ctx);
      ctx.log.progress(first!.name, `helm upgrade --install ${r.release} (${r.chart} ${r.version})`);
      await installRelease(session, r);
      for (const [name, content] of Object.entries(def.manifests?.(ctx) ?? {})) {
        await placeFile(session, manifestPath(name), content, 0o600);
        await run(session, `${KUBECTL} apply -f ${manifestPath(name)}`, `kubectl apply -f ${name}`);
      }
      await def.settled?.(ctx, session);
      return { release: r.release, namespace: r.namespace, chart: r.chart, version: r.version };
    },
  };
}
