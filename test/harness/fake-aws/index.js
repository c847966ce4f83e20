// @ts-check
import { createServer } from "node:http";
import { World } from "./core/world.js";
import { handleAws } from "./core/server.js";
import { controller, handleControl } from "./core/control.js";
import { services } from "./services/index.js";
import * as ec2 from "./services/ec2/index.js";

/**
 * The local fake AWS endpoint. `startFakeAws()` listens on 127.0.0.1 and returns the
 * URL to give the SDK (or kx, via AWS_ENDPOINT_URL) plus the test controls.
 * @param {{ port?: number, host?: string, region?: string, account?: string, latencyScale?: number, hosts?: import("./core/world.js").TestHost[], probeTargets?: boolean }} [opts]
 */
export async function startFakeAws(opts = {}) {
  const world = new World(opts);
  const ctl = controller(world, ec2, services);
  const server = createServer((req, res) => {
    /** @type {Buffer[]} */
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const url = new URL(req.url ?? "/", "http://fake");
      try {
        if (url.pathname.startsWith("/_fake/")) {
          const r = handleControl(ctl, String(req.method), url.pathname.slice("/_fake/".length), body);
          res.writeHead(r.status, { "content-type": "application/json" }).end(JSON.stringify(r.body));
          return;
        }
        const r = await handleAws(world, services, req, url, body);
        res.writeHead(r.status, r.headers).end(r.body);
      } catch (e) {
        res.writeHead(500, { "content-type": "text/plain" }).end(`fake-aws: ${(/** @type {Error} */ (e)).message}`);
      }
    });
  });
  const host = opts.host ?? "127.0.0.1";
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve(undefined));
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://${host}:${port}`,
    port,
    region: world.region,
    ...ctl,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}
