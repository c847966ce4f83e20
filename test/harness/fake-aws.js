#!/usr/bin/env node
// @ts-check
/**
 * Runs the fake AWS endpoint by hand:
 *   node test/harness/fake-aws.js --port 4566 [--latency-scale 0.1] [--region eu-west-1]
 *        [--hosts 127.0.1.2,127.0.1.3] [--host-key 'ssh-ed25519 AAAA…']
 *        [--hosts-file hosts.json]   (JSON: [{ "address": "…", "hostKeys": ["…"] }])
 * then e.g. `aws --endpoint-url http://127.0.0.1:4566 ec2 describe-vpcs`.
 * Out-of-process tests change hosts, faults… through POST /_fake/… (see README.md).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startFakeAws } from "./fake-aws/index.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4566" },
    "latency-scale": { type: "string", default: "0" },
    region: { type: "string", default: "eu-west-1" },
    hosts: { type: "string", default: "" },
    "host-key": { type: "string", multiple: true, default: [] },
    "hosts-file": { type: "string" },
  },
});

const hosts = String(values.hosts)
  .split(",")
  .filter(Boolean)
  .map((address) => ({ address, hostKeys: /** @type {string[]} */ (values["host-key"]) }));
if (values["hosts-file"]) hosts.push(...JSON.parse(readFileSync(String(values["hosts-file"]), "utf8")));

const fake = await startFakeAws({
  port: Number(values.port),
  region: String(values.region),
  latencyScale: Number(values["latency-scale"]),
  hosts,
});
process.stdout.write(`fake-aws listening on ${fake.url} (region ${fake.region})\n`);
const stop = () => fake.stop().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
