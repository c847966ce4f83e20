#!/usr/bin/env node
// Runs every benchmark in bench/ in turn; each prints its own numbers.
import { readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
for (const file of readdirSync(dir).filter((f) => f.endsWith(".js") && f !== "run.js").sort()) {
  console.log(`\n== ${file}`);
  const r = spawnSync(process.execPath, [`${dir}${file}`], { stdio: "inherit" });
  if (r.status !== 0) process.exitCode = 1;
}
