// @ts-check
/**
 * The test-control surface, shared by the JS API and the /_fake/… HTTP endpoints.
 */

import { randomBytes } from "node:crypto";

/** @typedef {import("./world.js").World} World */

/** @param {World} world */
export function inventory(world) {
  /** @type {Record<string, any[]>} */
  const out = {};
  for (const [type, table] of world.store.tables) {
    if (table.size === 0) continue;
    out[type] = [...table.values()].map((r) => {
      const copy = JSON.parse(JSON.stringify(r));
      const tags = world.store.tagMap.get(r.id);
      if (tags && tags.size) copy.tags = Object.fromEntries(tags);
      return copy;
    });
  }
  return out;
}

/**
 * @param {World} world
 * @param {{ registerImage: (world: World, spec: any) => string }} ec2
 * @param {import("./server.js").ServiceModule[]} services
 */
export function controller(world, ec2, services) {
  return {
    /**
     * Let the world move as it would between requests, without making any: apply what
     * is due (one step per round) and let the services reconcile (ASG launches…).
     * @param {number} [rounds]
     */
    settle: (rounds = 5) => {
      for (let i = 0; i < rounds; i++) {
        world.store.tick();
        for (const s of services) s.onTick?.(world);
      }
    },
    reset: () => world.reset(),
    inventory: () => inventory(world),
    calls: () => world.callLog.map((c) => ({ ...c })),
    clearCalls: () => world.clearCalls(),
    counts: () => ({ ...world.counts }),
    /** @param {import("./faults.js").FaultSettings} f */
    setFaults: (f) => world.faults.set(f ?? {}),
    /** @param {import("./world.js").TestHost[]} hosts */
    setHosts: (hosts) => {
      world.hosts = hosts ?? [];
    },
    /** @param {import("./world.js").CredentialSettings} c */
    setCredentials: (c) => {
      world.credentials = c ?? {};
    },
    /** @param {boolean} on */
    setProbeTargets: (on) => {
      world.probeTargets = Boolean(on);
    },
    /** @param {number} scale */
    setLatencyScale: (scale) => {
      world.latencyScale = scale;
    },
    /** @param {any} spec */
    registerImage: (spec) => ec2.registerImage(world, spec),
    /**
     * Temporary credentials of an instance role, as the metadata service hands them out:
     * requests signed with them are checked against the role's policies.
     * @param {string} role @param {string} sessionName the instance id, as EC2 names the session
     */
    issueRoleCredentials: (role, sessionName) => {
      const accessKeyId = `ASIA${randomBytes(8).toString("hex").toUpperCase()}`;
      world.roleSessions.set(accessKeyId, { role, sessionName });
      return { accessKeyId, secretAccessKey: randomBytes(30).toString("base64"), sessionToken: randomBytes(48).toString("base64") };
    },
  };
}

/**
 * Routes /_fake/<name>: GET inventory|calls|counts|health, POST reset|settle|clear-calls|
 * faults|hosts|credentials|latency|probe-targets|images (JSON bodies).
 * @param {ReturnType<typeof controller>} ctl
 * @param {string} method @param {string} name @param {string} body
 * @returns {{ status: number, body: any }}
 */
export function handleControl(ctl, method, name, body) {
  const input = body ? JSON.parse(body) : undefined;
  /** @type {Record<string, () => any>} */
  const get = {
    inventory: () => ctl.inventory(),
    calls: () => ctl.calls(),
    counts: () => ctl.counts(),
    health: () => ({ ok: true }),
  };
  /** @type {Record<string, () => any>} */
  const post = {
    reset: () => ctl.reset(),
    settle: () => ctl.settle(input?.rounds === undefined ? undefined : Number(input.rounds)),
    "clear-calls": () => ctl.clearCalls(),
    faults: () => ctl.setFaults(input),
    hosts: () => ctl.setHosts(input),
    credentials: () => ctl.setCredentials(input),
    latency: () => ctl.setLatencyScale(Number(input?.latencyScale ?? 0)),
    "probe-targets": () => ctl.setProbeTargets(Boolean(input?.probeTargets)),
    images: () => ({ imageId: ctl.registerImage(input) }),
  };
  const fn = (method === "GET" ? get : post)[name];
  if (!fn) return { status: 404, body: { error: `no control endpoint ${method} /_fake/${name}` } };
  return { status: 200, body: fn() ?? { ok: true } };
}
