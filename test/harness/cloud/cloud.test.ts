/** The cloud data plane's parts on their own: the metadata service and a load balancer listener. */
import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
// @ts-expect-error plain JavaScript harness
import { startImds } from "./imds.js";
// @ts-expect-error plain JavaScript harness
import { startListener } from "./nlb.js";

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});

const instance = { id: "i-0abc", privateIp: "10.0.64.5", privateDnsName: "ip-10-0-64-5.eu-west-1.compute.internal", availabilityZone: "eu-west-1a", region: "eu-west-1", role: "kx-lab-worker" };

async function imds(httpTokens: string) {
  const issue = (role: string, session: string) => ({ accessKeyId: `ASIA${role.length}${session}`, secretAccessKey: "s", sessionToken: "t" });
  const server = await startImds({ ...instance, httpTokens }, issue);
  stops.push(() => server.stop());
  return server as { url: string; requests(): string[] };
}

async function token(url: string): Promise<string> {
  const res = await fetch(`${url}/latest/api/token`, { method: "PUT", headers: { "X-aws-ec2-metadata-token-ttl-seconds": "60" } });
  expect(res.status).toBe(200);
  return res.text();
}

describe("instance metadata (IMDSv2)", () => {
  it("answers with a session token only, when the instance requires tokens", async () => {
    const { url } = await imds("required");
    expect((await fetch(`${url}/latest/meta-data/local-ipv4`)).status).toBe(401);
    expect((await fetch(`${url}/latest/api/token`, { method: "PUT" })).status).toBe(400);
    const t = await token(url);
    const get = async (path: string) => (await fetch(`${url}/latest/meta-data/${path}`, { headers: { "X-aws-ec2-metadata-token": t } })).text();
    expect(await get("local-ipv4")).toBe("10.0.64.5");
    expect(await get("local-hostname")).toBe(instance.privateDnsName);
    expect(await get("iam/security-credentials/")).toBe("kx-lab-worker");
    const creds = JSON.parse(await get("iam/security-credentials/kx-lab-worker"));
    expect(creds).toMatchObject({ Code: "Success", AccessKeyId: "ASIA13i-0abc", SecretAccessKey: "s", Token: "t" });
    expect((await fetch(`${url}/latest/meta-data/local-ipv4`, { headers: { "X-aws-ec2-metadata-token": "forged" } })).status).toBe(401);
  });

  it("answers without a token when the instance allows IMDSv1", async () => {
    const { url } = await imds("optional");
    expect(await (await fetch(`${url}/latest/meta-data/instance-id`)).text()).toBe("i-0abc");
  });
});

/** A TCP server on 127.0.0.1 that names itself to every connection. */
async function backend(name: string): Promise<{ port: number; server: Server }> {
  const server = createServer((s) => {
    s.on("error", () => {}); // the listener's health checks hang up at once
    s.end(name);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  stops.push(() => new Promise((r) => server.close(r)));
  return { port: (server.address() as { port: number }).port, server };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function read(port: number): Promise<string> {
  const { connect } = await import("node:net");
  return new Promise((resolve) => {
    let text = "";
    const s = connect({ host: "127.0.0.1", port });
    s.on("data", (d) => (text += d));
    s.on("close", () => resolve(text));
    s.on("error", () => resolve(text));
  });
}

describe("load balancer listener", () => {
  it("forwards to healthy targets round robin, skips one that does not accept, and fails open when none is healthy", async () => {
    const a = await backend("a");
    const b = await backend("b");
    const dead = await freePort();
    const targets = [
      { id: "127.0.0.1", port: a.port, healthy: true, draining: false },
      { id: "127.0.0.1", port: b.port, healthy: true, draining: false },
      { id: "127.0.0.1", port: dead, healthy: true, draining: false },
      { id: "127.0.0.1", port: b.port, healthy: false, draining: false },
    ];
    let view: { targetType: string; targets: typeof targets } = { targetType: "ip", targets };
    const port = await freePort();
    const listener = await startListener("127.0.0.1", port, () => view, () => undefined);
    stops.push(() => listener.stop());
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await read(port));
    expect(answers.sort()).toEqual(["a", "a", "b", "b"]);

    view = { targetType: "ip", targets: [{ id: "127.0.0.1", port: a.port, healthy: false, draining: false }] };
    expect(await read(port)).toBe("a"); // fail open
    view = { targetType: "ip", targets: [{ id: "127.0.0.1", port: a.port, healthy: true, draining: true }] };
    expect(await read(port)).toBe(""); // draining only: nothing to send to
  });
});
