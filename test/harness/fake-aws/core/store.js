// @ts-check
/**
 * The fake's state: resources by type, tags by resource key, and a queue of timed
 * transitions (pending → available, shutting-down → terminated, …). Transitions are
 * applied lazily at the start of every request, in due order, so the fake needs no
 * timers and a paused test sees a frozen world.
 */

/** @typedef {{ since: number, ms: number, scaleAt: number, floorMs: number, seq: number, fn: () => void }} Transition */

export class Store {
  /** @param {() => number} scale the latency scale, read whenever a due time is needed */
  constructor(scale = () => 1) {
    this.scale = scale;
    /** @type {Map<string, Map<string, any>>} */
    this.tables = new Map();
    /** @type {Map<string, Map<string, string>>} */
    this.tagMap = new Map();
    /** @type {Transition[]} */
    this.queue = [];
    this.seq = 0;
  }

  reset() {
    this.tables.clear();
    this.tagMap.clear();
    this.queue = [];
  }

  /** @param {string} type */
  table(type) {
    let t = this.tables.get(type);
    if (!t) this.tables.set(type, (t = new Map()));
    return t;
  }

  /** @param {string} type @param {string} id @param {any} obj */
  put(type, id, obj) {
    this.table(type).set(id, obj);
    return obj;
  }

  /** @param {string} type @param {string} id */
  get(type, id) {
    return this.table(type).get(id);
  }

  /** @param {string} type @returns {any[]} */
  list(type) {
    return [...this.table(type).values()];
  }

  /** @param {string} type @param {string} id */
  remove(type, id) {
    const obj = this.table(type).get(id);
    this.table(type).delete(id);
    this.tagMap.delete(id);
    if (obj && typeof obj.id === "string") this.tagMap.delete(obj.id);
  }

  /** @param {string} key resource id or ARN @returns {Map<string, string>} */
  tags(key) {
    let t = this.tagMap.get(key);
    if (!t) this.tagMap.set(key, (t = new Map()));
    return t;
  }

  /** @param {string} key @param {{Key: string, Value?: string}[]} tags */
  addTags(key, tags) {
    const t = this.tags(key);
    for (const { Key, Value } of tags) t.set(Key, Value ?? "");
  }

  /** @param {string} key @returns {{Key: string, Value: string}[]} */
  tagList(key) {
    return [...(this.tagMap.get(key) ?? new Map())].map(([Key, Value]) => ({ Key, Value }));
  }

  /**
   * Run `fn` once `ms` (realistic milliseconds, times the latency scale at the time of
   * checking, never less than `floorMs`) have passed — at the first request after that.
   * The scale used is the lower of the one at scheduling and the current one: lowering it
   * fast-forwards what is pending, raising it never makes a pending change wait longer.
   * @param {number} ms @param {() => void} fn @param {number} [floorMs]
   */
  after(ms, fn, floorMs = 0) {
    this.queue.push({ since: Date.now(), ms: Math.max(0, ms), scaleAt: this.scale(), floorMs, seq: this.seq++, fn });
  }

  /** @param {Transition} q */
  dueAt(q) {
    return q.since + Math.max(q.ms * Math.min(q.scaleAt, this.scale()), q.floorMs);
  }

  /**
   * Apply every due transition, in due order. Transitions scheduled while ticking wait
   * for the next request, so even with no delays each intermediate state (pending,
   * running, console ready…) is observable by one request.
   */
  tick() {
    const now = Date.now();
    const horizon = this.seq;
    for (;;) {
      let best = -1;
      for (let i = 0; i < this.queue.length; i++) {
        const q = this.queue[i];
        if (this.dueAt(q) > now || q.seq >= horizon) continue;
        const b = this.queue[best];
        if (best < 0 || this.dueAt(q) < this.dueAt(b) || (this.dueAt(q) === this.dueAt(b) && q.seq < b.seq)) best = i;
      }
      if (best < 0) return;
      const [due] = this.queue.splice(best, 1);
      due.fn();
    }
  }
}
