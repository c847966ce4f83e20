/**
 * `kx forget-host-key NODE`: after a machine was really replaced or reinstalled, forget
 * the SSH host key kx pinned for it; the next run pins the key it presents then. Keys
 * read from an AWS instance's console are not pinned here: a replaced instance brings
 * its own, read again by the machines step.
 */
import type { GlobalOptions } from "../cli.js";
import { KxError } from "../engine/errors.js";
import { LocalStateStore } from "../engine/state.js";
import type { Io } from "../ui/io.js";
import { forgetHostKey } from "../workflows/host-key-store.js";
import { ioFor, loadSelectedConfig, stateDirFor, type ClusterSelector } from "./support/common.js";

export async function run(node: string, options: ClusterSelector, globals: Partial<GlobalOptions>, io: Io = ioFor(globals)): Promise<number> {
  const { config } = await loadSelectedConfig(options, globals, io);
  const store = new LocalStateStore(stateDirFor(globals, config.name), { warn: (m) => io.warn(m) });
  const lock = await store.lock({ command: `kx forget-host-key ${node}` });
  try {
    const state = await store.load();
    if (!state || !forgetHostKey(state, node)) {
      throw new KxError(`no host key is pinned for ${node} in cluster ${config.name}`, {
        source: "user",
        hint: "`kx status` lists the cluster's nodes; on AWS, host keys come from the instances' consoles and are read again when a machine is replaced.",
      });
    }
    await store.save(state);
    io.result(`Forgot the host key of ${node}: the next run pins the key it presents. Do this only if you know the machine was replaced.`);
    return 0;
  } finally {
    await lock.release();
  }
}
