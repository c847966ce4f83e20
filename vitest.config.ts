import { BaseSequencer, type TestSpecification } from "vitest/node";
import { defineConfig } from "vitest/config";

/**
 * The test files that build whole clusters, longest first. Started first, they overlap
 * the many short files; started last (vitest's order on a fresh clone is by file size),
 * the longest of them alone sets the suite's end.
 */
const LONGEST_FIRST = [
  "test/e2e/aws-cluster.test.ts",
  "test/e2e/hosts-cluster.test.ts",
  "test/steps/kubernetes/upgrade-standins.test.ts",
  "test/steps/kubernetes/helm-standin.test.ts",
  "test/steps/kubernetes/cluster.test.ts",
  "test/e2e/hosts-crash.test.ts",
  "test/steps/kubernetes/standins.test.ts",
  "test/steps/addons/observability-cluster.test.ts",
  "test/e2e/aws-crash.test.ts",
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = LONGEST_FIRST.findIndex((path) => f.moduleId.endsWith(path));
      return i === -1 ? LONGEST_FIRST.length : i;
    };
    const rest = await super.sort(files.filter((f) => rank(f) === LONGEST_FIRST.length));
    return [...files.filter((f) => rank(f) < LONGEST_FIRST.length).sort((a, b) => rank(a) - rank(b)), ...rest];
  }
}

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Most tests wait on child processes (sshd, etcd, the kx binary, the fake AWS), not
    // on the CPU: vitest's default of one worker on a 2-core machine leaves it idle.
    maxWorkers: 4,
    sequence: { sequencer: LongestFirst },
    // The SDK's notice that its 2027 releases need Node 22; kx's launcher silences it too.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
