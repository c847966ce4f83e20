#!/usr/bin/env node
// Wall time of `kx create cluster` (the AWS infrastructure: images given, network,
// security, edge, machines, optional) against the local fake AWS with its modelled
// delays (NAT gateways, load balancers, instances), at a scale where 1 means AWS's own
// timings. The create should take close to its critical path (the load balancer and
// NAT gateways), not the sum of its waits. Prints numbers; asserts nothing.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startFakeAws } from "../test/harness/fake-aws/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const scale = Number(process.env.BENCH_LATENCY_SCALE ?? 0.05);
const dir = mkdtempSync(join(tmpdir(), "kx-bench-"));
spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "key")]);

const fake = await startFakeAws({ latencyScale: scale });
try {
  const node = fake.registerImage({ name: "kx-node-bench" });
  const etcd = fake.registerImage({ name: "kx-etcd-bench" });
  const config = readFileSync(join(root, "examples/cluster.yaml"), "utf8")
    .replace("build: true", `build: false\n  node: ${node}\n  etcd: ${etcd}`)
    .replace("~/.ssh/id_ed25519", join(dir, "key"));
  writeFileSync(join(dir, "cluster.yaml"), config);
  const env = {
    ...process.env,
    HOME: dir,
    CI: "true",
    AWS_ENDPOINT_URL: fake.url,
    AWS_ACCESS_KEY_ID: "bench",
    AWS_SECRET_ACCESS_KEY: "bench",
    AWS_REGION: "eu-west-1",
    AWS_EC2_METADATA_DISABLED: "true",
  };
  const args = [join(root, "bin/kx.js"), "create", "cluster", "-f", join(dir, "cluster.yaml"), "--yes", "--only", "images,network,security,edge,machines,optional"];
  // The fake runs in this process: the child must be awaited, never waited on synchronously.
  const time = async (label) => {
    const start = process.hrtime.bigint();
    const r = await new Promise((resolve) => {
      const child = spawn(process.execPath, args, { env });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
      child.on("close", (status) => resolve({ status, out }));
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (r.status !== 0) throw new Error(`${label} failed (${r.status}):\n${r.out}`);
    const { reads, writes } = fake.counts();
    console.log(`${label.padEnd(28)} ${seconds.toFixed(2)} s   (fake AWS calls so far: ${reads} reads, ${writes} writes)`);
  };
  console.log(`latency scale ${scale} (NAT gateway ${60 * scale}s, load balancer ${120 * scale}s, instance ${15 * scale}s to running + ${40 * scale}s to host keys)`);
  await time("create (empty account)");
  await time("second create (no changes)");
} finally {
  await fake.stop();
}
