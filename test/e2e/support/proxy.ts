/**
 * An HTTP proxy between kx and the fake AWS endpoint. It records what kx sent (the
 * fake keeps resources, not requests: e.g. the volume type kx asked for), and it can
 * kill kx with SIGKILL at an exact moment: as soon as the fake has answered the Nth
 * write call, before that answer reaches kx. kx then dies having made a change it
 * never heard about, the moment a crash hurts most.
 */
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { FakeAws } from "../../harness/fake-aws/index.js";

export interface SentRequest {
  /** The AWS action: the query protocol's Action, JSON's X-Amz-Target operation, or the REST path. */
  action: string;
  /** Query-protocol parameters (EC2, IAM, ELB, ASG, RDS, STS); empty for JSON and REST services. */
  params: URLSearchParams;
  body: string;
}

export interface KillSwitch {
  /** Total write calls (counted by the fake) after which `pid` is killed. */
  afterWrites: number;
  pid: number;
  /** Set once the kill happened, with the fake's write count at that moment. */
  firedAt?: number;
}

export interface AwsProxy {
  url: string;
  sent: SentRequest[];
  /** Arms (or with undefined, disarms) the kill switch. */
  arm(kill: KillSwitch | undefined): void;
  close(): Promise<void>;
}

function actionOf(req: IncomingMessage, body: string): SentRequest {
  const target = String(req.headers["x-amz-target"] ?? "");
  const params = target ? new URLSearchParams() : new URLSearchParams(body);
  const action = target ? target.slice(target.indexOf(".") + 1) : (params.get("Action") ?? `${req.method} ${req.url}`);
  return { action, params, body };
}

export async function startProxy(fake: FakeAws): Promise<AwsProxy> {
  const upstream = new URL(fake.url);
  const sent: SentRequest[] = [];
  let kill: KillSwitch | undefined;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      if (kill?.firedAt !== undefined) return void req.socket.destroy();
      sent.push(actionOf(req, body.toString("utf8")));
      const forward = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on("data", (c: Buffer) => parts.push(c));
          answer.on("end", () => {
            if (kill && kill.firedAt === undefined && fake.counts().writes >= kill.afterWrites) {
              kill.firedAt = fake.counts().writes;
              try {
                process.kill(kill.pid, "SIGKILL");
              } catch {
                // already gone
              }
            }
            if (kill?.firedAt !== undefined) return void req.socket.destroy();
            res.writeHead(answer.statusCode ?? 500, answer.headers).end(Buffer.concat(parts));
          });
        },
      );
      forward.on("error", () => req.socket.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    sent,
    arm: (k) => void (kill = k),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
