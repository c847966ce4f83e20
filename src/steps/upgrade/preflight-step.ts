/**
 * upgrade/preflight: before any node is touched, the cluster must be one kx can take to
 * the target safely — the step path kubeadm allows, every node Ready, every node one kx
 * can reach (a node left behind would end outside the version skew policy), none newer
 * than the target. Its outputs remember which nodes were cordoned before the upgrade,
 * so a resumed run knows which cordons are its own.
 */
import { KxError } from "../../engine/errors.js";
import type { Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import type { NodeHost } from "../inventory.js";
import { listNodes } from "../kubernetes/nodes.js";
import { clusterVersion } from "./cluster-version.js";
import { checkUpgradePath, compareVersions, parseVersion, sameVersion, withV, type Version } from "./versions.js";

export const UPGRADE_PREFLIGHT_STEP = "upgrade/preflight";

export function upgradePreflightStep(target: Version, admin: NodeHost, nodes: readonly NodeHost[]): Step<KxContext> {
  const want = withV(target);
  const known = new Map(nodes.map((h) => [h.nodeName, h.name]));
  const check = async (ctx: KxContext) => {
    const session = await ctx.ssh.session(admin.ssh);
    const [current, live] = await Promise.all([clusterVersion(session), listNodes(session)]);
    checkUpgradePath(parseVersion(current, "the cluster's version"), target);
    const unknown = live.filter((n) => !known.has(n.name));
    if (unknown.length > 0) {
      throw new KxError(`${unknown.map((n) => n.name).join(", ")} ${unknown.length === 1 ? "is a node" : "are nodes"} of the cluster that kx cannot reach, so kx would leave ${unknown.length === 1 ? "it" : "them"} behind`, {
        source: "user",
        hint: "Add the machine to the config's hosts: (or, on AWS, let the worker group own it); if the machine is gone, remove the node with kubectl delete node NAME. Then run kx upgrade again.",
      });
    }
    const notReady = live.filter((n) => !n.ready);
    if (notReady.length > 0) {
      throw new KxError(`kx upgrades a healthy cluster only: ${notReady.map((n) => `${known.get(n.name)} (${n.name}: ${n.reason || "not Ready"})`).join(", ")}`, {
        source: "user",
        hint: "Bring the nodes back to Ready (`kx status` lists them), then run kx upgrade again.",
      });
    }
    const newer = live.filter((n) => compareVersions(parseVersion(n.version, `${n.name}'s kubelet version`), target) > 0);
    if (newer.length > 0) {
      throw new KxError(`${newer.map((n) => `${known.get(n.name)} runs kubelet ${n.version}`).join(", ")}: newer than ${want}`, { source: "user", exitCode: 2, hint: "Give --to the cluster's newest version or a later one." });
    }
    return { current, live };
  };
  return {
    id: UPGRADE_PREFLIGHT_STEP,
    title: `Check that the cluster can be upgraded to ${want}`,
    needs: [],
    inputs: () => ({ to: want, nodes: [...known.keys()].sort() }),
    async plan(ctx) {
      const { current, live } = await check(ctx);
      const behind = live.filter((n) => !sameVersion(n.version, want));
      if (sameVersion(current, want) && behind.length === 0) return [];
      return [{ action: "run", target: `cluster ${ctx.cluster}`, detail: `${current} → ${want}: ${behind.length} of ${live.length} nodes to upgrade` }];
    },
    async apply(ctx) {
      const { current, live } = await check(ctx);
      return { from: current, to: want, cordoned: live.filter((n) => n.cordoned).map((n) => n.name) };
    },
  };
}
