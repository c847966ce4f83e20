// @ts-check
import { connect } from "node:net";

/**
 * Joins an accepted connection to a new one to `host:port`, both ends closing together;
 * the two sockets are kept in `open` until they close, so a stop can cut them.
 * @param {import("node:net").Socket} client @param {string} host @param {number} port @param {Set<import("node:net").Socket>} open
 */
export function pipeTo(client, host, port, open) {
  const upstream = connect({ host, port });
  for (const s of [client, upstream]) {
    open.add(s);
    s.on("close", () => open.delete(s));
  }
  client.pipe(upstream).pipe(client);
  client.on("error", () => upstream.destroy());
  upstream.on("error", () => client.destroy());
}
