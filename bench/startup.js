#!/usr/bin/env node
// Start-up time of the kx binary: `kx --version` and `kx --help` must feel instant.
// Prints numbers; it is not a test and asserts nothing about timing.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const kx = fileURLToPath(new URL("../bin/kx.js", import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 15);

function measure(args) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [kx, ...args], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`kx ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const p90 = times[Math.floor(times.length * 0.9)];
  return { median, p90, min: times[0] };
}

const baseline = (() => {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    spawnSync(process.execPath, ["-e", ""]);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
})();

console.log(`node -e '' (baseline)    median ${baseline.toFixed(1)} ms`);
for (const args of [["--version"], ["--help"], ["create", "--help"]]) {
  const m = measure(args);
  console.log(`kx ${args.join(" ").padEnd(20)} median ${m.median.toFixed(1)} ms  p90 ${m.p90.toFixed(1)} ms  min ${m.min.toFixed(1)} ms  (${runs} runs)`);
}
