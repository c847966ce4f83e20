// @ts-check
/**
 * The fake's state: resources by type, tags by resource key, and a queue of timed
 * transitions (pending → available, shutting-down → terminated, …). Transitions are
 * applied lazily at the start of every request, in due order, so the fake needs no
 * timers and a paused test sees a frozen world.
 */

/** @typedef {{ at: number, seq: number, fn: () => void }} Transition */

export class Store {
  constructor() {
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

  /** Run `fn` once `ms` milliseconds have passed (at the first request after that). @param {number} ms @param {() => void} fn */
  after(ms, fn) {
    this.queue.push({ at: Date.now() + Math.max(0, ms), seq: this.seq++, fn });
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
        if (q.at > now || q.seq >= horizon) continue;
        const b = this.queue[best];
        if (best < 0 || q.at < b.at || (q.at === b.at && q.seq < b.seq)) best = i;
      }
      if (best < 0) return;
      const [due] = this.queue.splice(best, 1);
      due.fn();
    }
  }
}
