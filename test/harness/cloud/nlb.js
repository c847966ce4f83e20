// @ts-check
/**
 * The network load balancers' data plane: each listener of a load balancer accepts TCP
 * on the load balancer's own address and port and hands every connection to a healthy
 * target of its target group, round robin; when no target is healthy it uses every
 * registered one (an NLB "fails open"). Healthy is what the fake says (registered, past
 * its health-check delay, not draining) and what a TCP health check sees: the target
 * accepts a connection (checked at most every PROBE_MS). Targets come from the fake's
 * records, read afresh for each connection.
 */
import { createServer } from "node:net";
import { tcpCheck } from "../fake-aws/core/tcp-check.js";

const PROBE_MS = 500;
import { pipeTo } from "./pipe.js";

/**
 * @typedef {{ targetType: string, targets: { id: string, port: number, healthy: boolean, draining: boolean }[] }} ListenerView
 */

/**
 * @param {string} address @param {number} port
 * @param {() => ListenerView | undefined} current the listener as the fake records it now (undefined: gone)
 * @param {(instanceId: string) => string | undefined} instanceIp
 */
export async function startListener(address, port, current, instanceIp) {
  let next = 0;
  /** @type {Map<string, { at: number, ok: Promise<boolean> }>} */
  const probes = new Map();
  const passes = (/** @type {string} */ host, /** @type {number} */ targetPort) => {
    const key = `${host}:${targetPort}`;
    const cached = probes.get(key);
    if (cached && Date.now() - cached.at < PROBE_MS) return cached.ok;
    const ok = tcpCheck(host, targetPort, 1000);
    probes.set(key, { at: Date.now(), ok });
    return ok;
  };
  /** @type {Set<import("node:net").Socket>} */
  const sockets = new Set();
  const server = createServer(async (client) => {
    client.pause();
    client.on("error", () => client.destroy());
    const view = current();
    const live = (view?.targets ?? [])
      .filter((t) => !t.draining)
      .map((t) => ({ ...t, host: view?.targetType === "ip" ? t.id : instanceIp(t.id) }))
      .filter((t) => t.host);
    const checks = await Promise.all(live.map((t) => t.healthy && passes(String(t.host), t.port)));
    const healthy = live.filter((_, i) => checks[i]);
    const pool = healthy.length ? healthy : live;
    const target = pool[next++ % Math.max(pool.length, 1)];
    if (!target) return client.destroy();
    pipeTo(client, String(target.host), target.port, sockets);
    client.resume();
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, address, () => resolve(undefined));
  });
  return {
    address,
    port,
    stop: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve(undefined));
      }),
  };
}

