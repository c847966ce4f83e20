/**
 * An add-on that is only Kubernetes objects (custom resources an operator acts on): its
 * manifests are written next to the add-ons' values on the first control-plane node and
 * applied with kubectl. Plan compares them with the files last applied there: kubectl
 * apply is idempotent, so a manifest that is already there as rendered needs no run.
 */
import { createHash } from "node:crypto";
import type { Change, PlannedFile, Step } from "../../engine/types.js";
import type { SshSession } from "../../ssh/types.js";
import { shellQuote } from "../../ssh/shell.js";
import type { KxContext } from "../context.js";
import { KUBECTL, KX_DIR, placeFile, run } from "../kubernetes/remote.js";
import { controlPlaneHosts } from "../kubernetes/settings.js";

export interface ManifestsDefinition {
  id: string;
  title: string;
  needs: string[];
  /** The config settings the objects come from: a change to them runs the step again. */
  settings: unknown;
  /** YAML documents by file name, applied in this order. */
  manifests(ctx: KxContext): Record<string, string>;
}

export const manifestPath = (name: string) => `${KX_DIR}/addons/${name}`;

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** The manifests whose file on the node is missing or differs from `want`. */
async function stale(session: SshSession, want: Record<string, string>): Promise<string[]> {
  const names = Object.keys(want);
  const r = await session.exec(`sha256sum ${names.map((n) => shellQuote(manifestPath(n))).join(" ")} 2>/dev/null`, { sudo: true, allowFailure: true, readOnly: true });
  const placed = new Map(r.stdout.trim().split("\n").filter(Boolean).map((line) => [line.split(/\s+/)[1], line.split(/\s+/)[0]] as const));
  return names.filter((n) => placed.get(manifestPath(n)) !== sha256(want[n]!));
}

export async function applyManifests(session: SshSession, manifests: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(manifests)) {
    await placeFile(session, manifestPath(name), content, 0o600);
    await run(session, `${KUBECTL} apply -f ${manifestPath(name)}`, `kubectl apply -f ${name}`);
  }
}

export function manifestsStep(def: ManifestsDefinition): Step<KxContext> {
  return {
    id: def.id,
    title: def.title,
    needs: def.needs,
    inputs: () => ({ settings: def.settings }),
    async plan(ctx) {
      const manifests = def.manifests(ctx);
      const install: Change = { action: "create", target: def.title, detail: `kubectl apply -f ${Object.keys(manifests).join(", ")}` };
      let host: string;
      let changed: string[];
      try {
        const [first] = await controlPlaneHosts(ctx);
        host = first!.name;
        changed = await stale(await ctx.ssh.session(first!.ssh), manifests);
      } catch {
        return [install]; // no machines to ask yet (a fresh create being planned)
      }
      if (changed.length === 0) return [];
      const files: PlannedFile[] = changed.map((n) => ({ host, path: manifestPath(n), mode: 0o600, owner: "root:root", content: manifests[n]! }));
      const fresh = changed.length === Object.keys(manifests).length;
      return [{ ...install, action: fresh ? "create" : "update", host, files, detail: `kubectl apply -f ${changed.join(", ")}` }];
    },
    async apply(ctx) {
      const [first] = await controlPlaneHosts(ctx);
      const session = await ctx.ssh.session(first!.ssh);
      const manifests = def.manifests(ctx);
      ctx.log.progress(first!.name, `kubectl apply -f ${Object.keys(manifests).join(", ")}`);
      await applyManifests(session, manifests);
      return { manifests: Object.keys(manifests).map(manifestPath) };
    },
  };
}
