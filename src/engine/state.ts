/** The state of a cluster: its document, the store interface, and the local store. */
export * from "./state-doc.js";
export type { StateStore } from "./state-store.js";
export { LocalStateStore, type LocalStateStoreOptions } from "./state-local.js";
export { serialiseStateSafely } from "./state-guard.js";
