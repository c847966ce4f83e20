#!/usr/bin/env node
// How long a fresh Node process takes to load the AWS SDK modules kx uses, as ES modules
// and as CommonJS (what src/aws/sdk-modules.ts does). Median of 5 runs each.
import { spawnSync } from "node:child_process";

const MODULES = [
  "@aws-sdk/credential-providers",
  "@aws-sdk/client-sts",
  "@aws-sdk/client-ec2",
  "@aws-sdk/client-auto-scaling",
  "@aws-sdk/client-elastic-load-balancing-v2",
  "@aws-sdk/client-iam",
  "@aws-sdk/client-ssm",
  "@aws-sdk/client-route-53",
];
const list = JSON.stringify(MODULES);
const programs = {
  "ES modules (import)": ["--input-type=module", "-e", `const t = performance.now(); for (const m of ${list}) await import(m); console.log(performance.now() - t);`],
  "CommonJS (require)": ["-e", `const t = performance.now(); for (const m of ${list}) require(m); console.log(performance.now() - t);`],
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [label, args] of Object.entries(programs)) {
  const times = [];
  for (let i = 0; i < 5; i++) {
    const r = spawnSync(process.execPath, args, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${label}: ${r.stderr}`);
    times.push(Number(r.stdout.trim()));
  }
  console.log(`${label.padEnd(22)} ${Math.round(median(times))} ms (runs: ${times.map(Math.round).join(", ")})`);
}
