/**
 * etcd/reset: `kx destroy` on a `hosts:` cluster gives the etcd machines back: the
 * service stopped and disabled, its unit, certificates and data removed. A member with
 * nothing of etcd left is skipped, so an interrupted destroy resumes.
 */
import type { Change, Step } from "../../engine/types.js";
import { shellQuote } from "../../ssh/shell.js";
import type { KxContext } from "../context.js";
import { PKI_DIR, UNIT_PATH, resolveOptions, type EtcdStepOptions } from "./members.js";

export const ETCD_RESET_STEP = "etcd/reset";

export function etcdResetStep(needs: string[], options: EtcdStepOptions = {}): Step<KxContext> {
  const { dataDir } = resolveOptions(options);
  // The data directory itself may be a mount point: its contents go, the directory stays.
  const leftovers = [UNIT_PATH, PKI_DIR, `${dataDir}/member`].map(shellQuote).join(" ");
  const hasEtcd = async (ctx: KxContext, host: Awaited<ReturnType<KxContext["inventory"]["hosts"]>>[number]) => {
    const session = await ctx.ssh.session(host.ssh);
    const r = await session.exec(`for p in ${leftovers}; do [ -e "$p" ] && exit 0; done; exit 1`, { sudo: true, allowFailure: true, readOnly: true });
    return r.code === 0;
  };
  return {
    id: ETCD_RESET_STEP,
    title: "Stop etcd and remove its unit, certificates and data",
    needs,
    async plan(ctx) {
      const changes: Change[] = [];
      for (const host of await ctx.inventory.hosts("etcd")) {
        if (await hasEtcd(ctx, host)) changes.push({ action: "delete", target: `host ${host.name}`, host: host.name, detail: `stop etcd, remove ${dataDir}` });
      }
      return changes;
    },
    async apply(ctx) {
      const hosts = await ctx.inventory.hosts("etcd");
      await Promise.all(
        hosts.map(async (host) => {
          if (!(await hasEtcd(ctx, host))) return;
          ctx.log.progress(host.name, "stopping etcd and removing its data");
          const session = await ctx.ssh.session(host.ssh);
          await session.exec(
            `systemctl disable --now etcd || true; rm -rf ${leftovers}; find ${shellQuote(dataDir)} -mindepth 1 -delete 2>/dev/null || true; systemctl daemon-reload`,
            { sudo: true, label: "etcd reset" },
          );
        }),
      );
      return { reset: hosts.map((h) => h.name) };
    },
  };
}
