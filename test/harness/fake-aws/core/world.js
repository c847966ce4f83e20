// @ts-check
import { Store } from "./store.js";
import { Faults } from "./faults.js";

/**
 * Everything a service handler can reach: the store, the region and account, the latency
 * model and the test hosts that launched instances take their addresses from.
 */

/** @typedef {{ address: string, hostKeys: string[], namePattern?: string }} TestHost */
/** @typedef {{ valid?: string[] | null, expired?: string[], secrets?: Record<string, string>, account?: string, userArn?: string }} CredentialSettings */
/** @typedef {{ time: string, service: string, action: string, kind: "read" | "write", status: number, error?: string }} CallRecord */

/** Realistic delays in seconds; multiplied by latencyScale. */
export const DELAYS = {
  vpc: 1,
  subnet: 1,
  natAvailable: 60,
  natDeleted: 30,
  instanceRunning: 15,
  consoleOutput: 40,
  instanceShutdown: 20,
  terminatedVisible: 3600,
  loadBalancerActive: 120,
  loadBalancerEnisGone: 60,
  targetHealthy: 30,
  targetDrain: 300,
  rdsAvailable: 300,
  rdsDeleted: 120,
  rdsModify: 30,
  route53Insync: 30,
  iamPropagation: 8,
  perCallRead: 0.05,
  perCallWrite: 0.15,
};

/** Calls kept in the log (a long-running fake by hand must not grow without bound). */
export const CALL_LOG_LIMIT = 100_000;

/** The shortest time a terminated/deleted resource stays visible, whatever the scale. */
export const LINGER_FLOOR_MS = 30_000;

export class World {
  /** @param {{ region?: string, account?: string, latencyScale?: number, hosts?: TestHost[], probeTargets?: boolean }} opts */
  constructor(opts) {
    this.region = opts.region ?? "eu-west-1";
    this.defaultAccount = opts.account ?? "000000000000";
    this.latencyScale = opts.latencyScale ?? 0;
    /** Whether load balancer health checks really connect to the targets. */
    this.probeTargets = opts.probeTargets ?? false;
    this.store = new Store(() => this.latencyScale);
    this.faults = new Faults();
    /** @type {TestHost[]} */
    this.hosts = opts.hosts ?? [];
    /** @type {CredentialSettings} */
    this.credentials = {};
    /** Access key id → the instance role session it was issued for (see authorize.js). @type {Map<string, { role: string, sessionName: string }>} */
    this.roleSessions = new Map();
    /** @type {CallRecord[]} */
    this.callLog = [];
    this.counts = { reads: 0, writes: 0 };
  }

  /** Log a call; the log keeps the last CALL_LOG_LIMIT, the counts cover every call. @param {CallRecord} call */
  logCall(call) {
    this.callLog.push(call);
    if (this.callLog.length > CALL_LOG_LIMIT) this.callLog.splice(0, this.callLog.length - CALL_LOG_LIMIT);
    this.counts[call.kind === "read" ? "reads" : "writes"]++;
  }

  clearCalls() {
    this.callLog = [];
    this.counts = { reads: 0, writes: 0 };
  }

  get account() {
    return this.credentials.account ?? this.defaultAccount;
  }

  reset() {
    this.store.reset();
    this.roleSessions.clear();
    this.faults.set({});
    this.clearCalls();
  }

  /** Milliseconds for a modelled delay. @param {keyof typeof DELAYS} name */
  delay(name) {
    return DELAYS[name] * 1000 * this.latencyScale;
  }

  /** Run `fn` after the modelled delay `name` (scaled when checked). @param {keyof typeof DELAYS} name @param {() => void} fn */
  after(name, fn) {
    this.store.after(DELAYS[name] * 1000, fn);
  }

  /**
   * Run `fn` once a finished resource (terminated instance, deleted NAT gateway) has
   * stayed listed its while: an hour × scale, never under LINGER_FLOOR_MS, so callers
   * always meet such resources.
   * @param {() => void} fn
   */
  afterLinger(fn) {
    this.store.after(DELAYS.terminatedVisible * 1000, fn, LINGER_FLOOR_MS);
  }

  /** @param {string} service @param {string} resource */
  arn(service, resource, regional = true) {
    return `arn:aws:${service}:${regional ? this.region : ""}:${this.account}:${resource}`;
  }
}
