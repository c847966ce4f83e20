// @ts-check
/**
 * The kube-apiserver static pod's process, started by the kubelet stand-in
 * (lib/static-pods.js) from the manifest given as its argument: lib/apiserver.js until
 * SIGTERM. A start-up failure is printed and exits 1, as a crashing container does.
 */
import { startApiServer } from "./lib/apiserver.js";

const manifest = process.argv[2];
const log = (line) => console.log(`I${new Date().toISOString()} kube-apiserver] ${line}`);
try {
  if (!manifest) throw new Error("usage: kube-apiserver-pod.js MANIFEST");
  const server = await startApiServer(manifest, log);
  process.on("SIGTERM", async () => {
    await server.close();
    process.exit(0);
  });
} catch (e) {
  console.log(`E${new Date().toISOString()} kube-apiserver] ${/** @type {Error} */ (e).message}`);
  process.exit(1);
}
