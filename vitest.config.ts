import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Most tests wait on child processes (sshd, etcd, the kx binary, the fake AWS), not
    // on the CPU: vitest's default of one worker on a 2-core machine leaves it idle.
    maxWorkers: 4,
    // The SDK's notice that its 2027 releases need Node 22; kx's launcher silences it too.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
