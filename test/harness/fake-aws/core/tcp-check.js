// @ts-check
import { connect } from "node:net";

/**
 * A load balancer's TCP health check: does `host:port` accept a connection (within
 * `timeoutMs`)? Used by the fake's target health and by the test cloud's load balancers.
 * @param {string} host @param {number} port @param {number} [timeoutMs]
 * @returns {Promise<boolean>}
 */
export function tcpCheck(host, port, timeoutMs = 500) {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (/** @type {boolean} */ ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("connect", () => done(true));
    socket.once("timeout", () => done(false));
    socket.once("error", () => done(false));
  });
}
