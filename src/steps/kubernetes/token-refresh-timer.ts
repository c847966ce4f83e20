/**
 * kubernetes/token-refresh-timer (AWS clusters): a systemd timer on every master that
 * renews join/token in SSM every 12 hours with a 48h token (templates/kubernetes/), so
 * workers the autoscaling group starts long after the create can still join.
 */
import type { Change, PlannedFile, Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import type { NodeHost } from "../inventory.js";
import { placeFile, run } from "./remote.js";
import { controlPlaneHosts, mastersNotLaunched } from "./settings.js";
import { renderTemplate } from "./templates.js";

export const TOKEN_REFRESH_STEP = "kubernetes/token-refresh-timer";
const TIMER = "kx-join-token.timer";

function timerFiles(ctx: KxContext, host: NodeHost): PlannedFile[] {
  const values = { cluster: ctx.cluster, region: ctx.aws.region };
  return [
    { host: host.name, path: "/usr/local/lib/kx/kx-join-token.sh", mode: 0o755, owner: "root:root", content: renderTemplate("kx-join-token.sh", values) },
    { host: host.name, path: "/etc/systemd/system/kx-join-token.service", mode: 0o644, owner: "root:root", content: renderTemplate("kx-join-token.service", values) },
    { host: host.name, path: `/etc/systemd/system/${TIMER}`, mode: 0o644, owner: "root:root", content: renderTemplate(TIMER, values) },
  ];
}

export function tokenRefreshTimerStep(needs: string[]): Step<KxContext> {
  return {
    id: TOKEN_REFRESH_STEP,
    title: "Install the join-token renewal timer on the masters",
    needs,
    async plan(ctx) {
      let masters: NodeHost[];
      try {
        masters = await controlPlaneHosts(ctx);
      } catch {
        return [{ action: "write", target: "control-plane nodes", detail: TIMER }];
      }
      const changes: Change[] = [];
      for (const host of masters) {
        const files = timerFiles(ctx, host);
        let current = false;
        try {
          const session = await ctx.ssh.session(host.ssh);
          const contents = await Promise.all(files.map((f) => session.readFile(f.path, { sudo: true })));
          const enabled = await session.exec(`systemctl is-enabled ${TIMER}`, { sudo: true, allowFailure: true, readOnly: true });
          current = contents.every((c, i) => c === files[i]!.content) && enabled.code === 0;
        } catch {
          // not reachable yet
        }
        if (!current) changes.push({ action: "write", target: `host ${host.name}`, host: host.name, detail: TIMER, files });
      }
      for (const p of await mastersNotLaunched(ctx)) {
        changes.push({ action: "write", target: `host ${p.name}`, host: p.name, detail: `${TIMER}, once its instance in ${p.zone} runs` });
      }
      return changes;
    },
    async apply(ctx) {
      const masters = await controlPlaneHosts(ctx);
      for (const host of masters) {
        const session = await ctx.ssh.session(host.ssh);
        let changed = false;
        for (const f of timerFiles(ctx, host)) changed = (await placeFile(session, f.path, f.content, f.mode)) || changed;
        const enabled = await session.exec(`systemctl is-enabled ${TIMER}`, { sudo: true, allowFailure: true, readOnly: true });
        if (changed || enabled.code !== 0) await run(session, `systemctl daemon-reload && systemctl enable --now ${TIMER}`, `enable ${TIMER}`);
      }
      return { nodes: masters.map((m) => m.name) };
    },
  };
}
