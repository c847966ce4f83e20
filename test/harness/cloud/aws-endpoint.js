// @ts-check
/**
 * The AWS API as an instance reaches it: HTTPS on the regional service names
 * (ssm.eu-west-1.amazonaws.com …, which the hosts resolve to this address), passed
 * through to the fake's plain HTTP port. The certificate is made here with openssl; the
 * hosts trust it through AWS_CA_BUNDLE, the AWS tools' own setting for a private CA.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createServer } from "node:tls";
import { pipeTo } from "./pipe.js";

export const AWS_SERVICES = ["ssm", "sts", "ec2", "autoscaling", "elasticloadbalancing"];

/** @param {{ address: string, fakePort: number, region: string, dir: string }} o */
export async function startAwsEndpoint(o) {
  const key = join(o.dir, "aws-endpoint.key");
  const cert = join(o.dir, "aws-endpoint.crt");
  const names = [`*.${o.region}.amazonaws.com`, "*.amazonaws.com"];
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
    "-subj", "/CN=fake AWS endpoint", "-addext", `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")}`,
    "-keyout", key, "-out", cert,
  ], { stdio: "ignore" });
  /** @type {Set<import("node:net").Socket>} */
  const open = new Set();
  const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (client) => pipeTo(client, "127.0.0.1", o.fakePort, open));
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(443, o.address, () => resolve(undefined));
  });
  return {
    caPem: readFileSync(cert, "utf8"),
    /** /etc/hosts lines for the service names. */
    hostsEntries: [`${o.address} ${[...AWS_SERVICES.map((s) => `${s}.${o.region}.amazonaws.com`), "iam.amazonaws.com"].join(" ")}`],
    stop: () =>
      new Promise((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve(undefined));
      }),
  };
}
