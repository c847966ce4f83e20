/** The content hash: what changes the image changes the hash, and nothing else does. */
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { currentContentHash } from "../../src/steps/images/current.js";
import { buildVariables, contentVariables } from "../../src/steps/images/variables.js";
import { awsTestConfig } from "../steps/context.js";
import { packerSandbox } from "./fixtures.js";

const sandbox = packerSandbox();
afterAll(() => sandbox.cleanup());
const hash = (image: "node" | "etcd", config = awsTestConfig()) => currentContentHash(config, image, sandbox.templatesDir);

describe("content hash", () => {
  it("is a stable sha256, different per image", () => {
    expect(hash("node")).toMatch(/^[0-9a-f]{64}$/);
    expect(hash("node")).toBe(hash("node"));
    expect(hash("node")).not.toBe(hash("etcd"));
  });

  it("follows the versions baked into each image, and only those", () => {
    const newer = awsTestConfig({ kubernetes: { version: "1.37.0" } });
    expect(hash("node", newer)).not.toBe(hash("node"));
    expect(hash("etcd", newer)).toBe(hash("etcd"));
    expect(hash("etcd", awsTestConfig({ etcd: { version: "3.6.4" } }))).not.toBe(hash("etcd"));
    expect(hash("node", awsTestConfig({ images: { baseImageFilter: "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-*" } }))).not.toBe(hash("node"));
  });

  it("ignores the region and the build instance type, which leave no trace in the image", () => {
    const other = awsTestConfig({ region: "us-east-1", images: { buildInstanceType: "c7i.xlarge" } });
    expect(hash("node", other)).toBe(hash("node"));
    expect(contentVariables(other, "node")).not.toHaveProperty("region");
    expect(buildVariables(other, "node", "us-east-1", "h")).toMatchObject({ region: "us-east-1", instance_type: "c7i.xlarge" });
  });

  it("changes with a common script (both images), an image's own script (that image) and a template", () => {
    let node = hash("node");
    let etcd = hash("etcd");
    appendFileSync(join(sandbox.templatesDir, "scripts/common/base.sh"), "# edit\n");
    expect(hash("node")).not.toBe(node);
    expect(hash("etcd")).not.toBe(etcd);

    node = hash("node");
    etcd = hash("etcd");
    appendFileSync(join(sandbox.templatesDir, "scripts/etcd/etcd.sh"), "# edit\n");
    expect(hash("etcd")).not.toBe(etcd);
    expect(hash("node")).toBe(node);

    etcd = hash("etcd");
    appendFileSync(join(sandbox.templatesDir, "node/node.pkr.hcl"), "# edit\n");
    expect(hash("node")).not.toBe(node);
    expect(hash("etcd")).toBe(etcd);
  });

  it("counts a new file in an image's scripts", () => {
    const node = hash("node");
    writeFileSync(join(sandbox.templatesDir, "scripts/node/extra.sh"), "#!/usr/bin/env bash\n");
    expect(hash("node")).not.toBe(node);
  });
});
