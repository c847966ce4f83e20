// @ts-check
/**
 * Faults on demand: a throttling rate (seeded, so a test run is reproducible), a burst of
 * server errors for the next N calls, and one call that fails after N successful calls
 * of the same action.
 */

/** @typedef {{ action: string, n: number, code: string, message?: string, status?: number }} FailAfter */
/** @typedef {{ throttleRate?: number, seed?: number, serverErrorBurst?: number, failAfter?: FailAfter | null }} FaultSettings */
/** @typedef {{ kind: "throttle" } | { kind: "server" } | { kind: "fail", code: string, message: string, status: number }} Fault */

/** @param {number} seed */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Faults {
  constructor() {
    this.throttleRate = 0;
    this.random = mulberry32(1);
    this.serverErrorBurst = 0;
    /** @type {FailAfter | null} */
    this.failAfter = null;
    this.seen = 0;
  }

  /** Replace the fault settings (omitted members switch that fault off). @param {FaultSettings} s */
  set(s) {
    this.throttleRate = s.throttleRate ?? 0;
    this.random = mulberry32(s.seed ?? 1);
    this.serverErrorBurst = s.serverErrorBurst ?? 0;
    this.failAfter = s.failAfter ?? null;
    this.seen = 0;
  }

  /** The fault to inject into this call, if any. @param {string} action @returns {Fault | undefined} */
  next(action) {
    if (this.serverErrorBurst > 0) {
      this.serverErrorBurst--;
      return { kind: "server" };
    }
    if (this.throttleRate > 0 && this.random() < this.throttleRate) return { kind: "throttle" };
    const f = this.failAfter;
    if (f && f.action === action) {
      if (this.seen >= f.n) {
        this.failAfter = null;
        const status = f.status ?? (/Internal|Unavailable/.test(f.code) ? 500 : 400);
        return { kind: "fail", code: f.code, message: f.message ?? `Injected failure of ${action}`, status };
      }
      this.seen++;
    }
    return undefined;
  }
}
