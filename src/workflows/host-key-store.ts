/**
 * Host keys pinned on first contact, kept in the state document (data.hostKeys) so the
 * next run refuses a host whose key changed. Public keys only: not secrets.
 */
import { getStateData, setStateData, stateDataKey, type StateDoc } from "../engine/state.js";
import type { HostKeyStore } from "../ssh/types.js";

export const HOST_KEYS = stateDataKey<Record<string, string>>("hostKeys");

export function stateHostKeyStore(state: StateDoc): HostKeyStore {
  return {
    get: (host) => getStateData(state, HOST_KEYS)?.[host],
    pin: (host, key) => setStateData(state, HOST_KEYS, { ...(getStateData(state, HOST_KEYS) ?? {}), [host]: key }),
  };
}

/** For `kx forget-host-key`: the host's key is pinned again on the next contact. */
export function forgetHostKey(state: StateDoc, host: string): boolean {
  const keys = { ...(getStateData(state, HOST_KEYS) ?? {}) };
  if (!(host in keys)) return false;
  delete keys[host];
  setStateData(state, HOST_KEYS, keys);
  return true;
}
