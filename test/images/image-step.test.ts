/**
 * The images step against the stand-in packer and the fake AWS endpoint: the AMI id is
 * read from the build, an unchanged image is reused by its content hash, a changed
 * script rebuilds, and a failed or impossible build is a clear error.
 */
import { appendFileSync, chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DescribeImagesCommand } from "@aws-sdk/client-ec2";
import { offlineAwsClients } from "../../src/aws/factory.js";
import { isKxError } from "../../src/engine/errors.js";
import type { AwsClients } from "../../src/aws/clients.js";
import { imageSteps } from "../../src/steps/images/index.js";
import { currentContentHash } from "../../src/steps/images/current.js";
import { awsTestConfig, fakeAwsClients, testContext } from "../steps/context.js";
import { startFakeAws } from "../harness/fake-aws/index.js";
import { packerSandbox, type PackerSandbox } from "./fixtures.js";

type Fake = Awaited<ReturnType<typeof startFakeAws>>;

let fake: Fake;
let aws: AwsClients;
let sandbox: PackerSandbox;

beforeAll(async () => {
  fake = await startFakeAws({ region: "eu-west-1" });
  aws = await fakeAwsClients(fake.url);
  sandbox = packerSandbox({ endpoint: fake.url });
});
afterAll(async () => {
  await fake?.stop();
  sandbox?.cleanup();
});

function nodeStep(config = awsTestConfig(), env = sandbox.env(), extra: { force?: boolean } = {}) {
  const [step] = imageSteps(config, { templatesDir: sandbox.templatesDir, env, only: ["node"], ...extra });
  return step!;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the call to fail");
}

describe("images/node against the stand-in packer", () => {
  let firstAmi = "";

  it("builds when no AMI has the content hash, reads the AMI id and streams Packer's progress", async () => {
    const ctx = testContext({ aws });
    const step = nodeStep();
    const changes = await step.plan(ctx);
    expect(changes).toEqual([expect.objectContaining({ action: "create", target: "ami node" })]);
    expect(changes[0]!.detail).toContain("kubernetes 1.36.1");

    const outputs = await step.apply(ctx, changes);
    firstAmi = String(outputs.amiId);
    expect(firstAmi).toMatch(/^ami-[0-9a-f]+$/);
    expect(sandbox.commands()).toEqual(["version", "init", "build"]);
    expect(ctx.logLines).toContain("progress packer ==> node.amazon-ebs.node: Connected to SSH!");
    expect(ctx.logLines.some((l) => l.startsWith("progress packer ") && l.includes("AMIs were created:"))).toBe(true);

    // The AMI in the account carries the hash the step computed from the templates.
    const ec2 = await aws.ec2();
    const described = await ec2.send(new DescribeImagesCommand({ ImageIds: [firstAmi] }));
    const tags = Object.fromEntries((described.Images?.[0]?.Tags ?? []).map((t) => [t.Key, t.Value]));
    expect(tags["kx:content-hash"]).toBe(currentContentHash(awsTestConfig(), "node", sandbox.templatesDir));
    expect(tags["kx:role"]).toBe("node");
    expect(tags["kx:k8s-version"]).toBe("1.36.1");
  });

  it("does not build again with unchanged templates: the AMI is reused by its hash", async () => {
    const ctx = testContext({ aws });
    const step = nodeStep();
    expect(await step.plan(ctx)).toEqual([]);
    expect(await step.apply(ctx, [])).toEqual({ amiId: firstAmi });
    expect(sandbox.commands().filter((c) => c === "build")).toHaveLength(1);
  });

  it("with force, builds even though an AMI has the hash, and every forced run counts as new inputs", async () => {
    const ctx = testContext({ aws });
    const forced = nodeStep(awsTestConfig(), sandbox.env(), { force: true });
    expect(await forced.plan(ctx)).toHaveLength(1);
    const again = nodeStep(awsTestConfig(), sandbox.env(), { force: true });
    expect(forced.inputs!(ctx)).not.toEqual(again.inputs!(ctx));
    expect(nodeStep().inputs!(ctx)).toEqual(nodeStep().inputs!(ctx));
    const outputs = await forced.apply(ctx, await forced.plan(ctx));
    expect(outputs.amiId).not.toBe(firstAmi);
    // The newest AMI with the hash is the one reused from now on.
    expect(await nodeStep().apply(ctx, [])).toEqual(outputs);
    firstAmi = String(outputs.amiId);
  });

  it("builds again when a provisioning script changes, and picks this region's AMI from a multi-region artifact", async () => {
    appendFileSync(join(sandbox.templatesDir, "scripts/node/kernel.sh"), "# changed\n");
    const ctx = testContext({ aws });
    const step = nodeStep(awsTestConfig(), sandbox.env({ KX_FAKE_PACKER_COPY_REGIONS: "us-east-1" }));
    const changes = await step.plan(ctx);
    expect(changes).toHaveLength(1);
    const outputs = await step.apply(ctx, changes);
    expect(outputs.amiId).toMatch(/^ami-/);
    expect(outputs.amiId).not.toBe(firstAmi);
    expect(sandbox.commands().filter((c) => c === "build")).toHaveLength(3);
    // The image registered in the fake is the one in eu-west-1 (first of the artifact's pairs).
    const ec2 = await aws.ec2();
    const described = await ec2.send(new DescribeImagesCommand({ ImageIds: [String(outputs.amiId)] }));
    expect(described.Images).toHaveLength(1);
  });

  it("a failing build fails the step with Packer's last lines in the error", async () => {
    const config = awsTestConfig({ kubernetes: { version: "1.35.4" } });
    const ctx = testContext({ aws, config });
    const step = nodeStep(config, sandbox.env({ KX_FAKE_PACKER_FAIL: "1" }));
    const changes = await step.plan(ctx);
    const error = await rejection(step.apply(ctx, changes));
    expect(isKxError(error)).toBe(true);
    expect(error.message).toMatch(/^packer build failed \(exit 1\); Packer's last lines:/);
    expect(error.message).toContain("E: Failed to fetch http://archive.ubuntu.com/ubuntu/dists/noble-updates/InRelease");
    expect(error.message).toContain("Some builds didn't complete successfully and had errors:");
    expect(error.message.split("\n").length).toBeLessThanOrEqual(21);
    // Nothing was registered for that hash.
    expect(await step.plan(ctx)).toHaveLength(1);
  });

  it("a missing packer binary is a user error saying how to install Packer 1.14 or newer", async () => {
    const empty = mkdtempSync(join(tmpdir(), "kx-no-packer-"));
    try {
      const config = awsTestConfig({ kubernetes: { version: "1.35.4" } });
      const ctx = testContext({ aws, config });
      const step = nodeStep(config, sandbox.env({ PATH: empty, KX_PACKER: "" }));
      const error = await rejection(step.apply(ctx, await step.plan(ctx)));
      expect(isKxError(error) && error.source).toBe("user");
      expect(error.message).toBe("kx builds its machine images with Packer, but no `packer` executable is on PATH");
      expect(isKxError(error) && error.hint).toContain("Install Packer 1.14.0 or newer");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("refuses a Packer too old for the templates (Debian's 1.6.6)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kx-old-packer-"));
    try {
      const old = join(dir, "packer");
      writeFileSync(old, "#!/bin/sh\necho 'Packer v1.6.6'\n");
      chmodSync(old, 0o755);
      const config = awsTestConfig({ kubernetes: { version: "1.35.4" } });
      const ctx = testContext({ aws, config });
      const step = nodeStep(config, sandbox.env({ KX_PACKER: old }));
      const error = await rejection(step.apply(ctx, await step.plan(ctx)));
      expect(error.message).toBe(`${old} is Packer 1.6.6; kx's image templates need Packer 1.14.0 or newer`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("both images at once, as create runs them", () => {
  it("builds node and etcd side by side, each tagged with its own role", async () => {
    const config = awsTestConfig({ kubernetes: { version: "1.37.0" }, etcd: { version: "3.6.6" } });
    const steps = imageSteps(config, { templatesDir: sandbox.templatesDir, env: sandbox.env() });
    const ctx = testContext({ aws, config });
    const amis = await Promise.all(steps.map(async (step) => String((await step.apply(ctx, await step.plan(ctx))).amiId)));
    expect(new Set(amis).size).toBe(2);
    const ec2 = await aws.ec2();
    const described = await ec2.send(new DescribeImagesCommand({ ImageIds: amis }));
    const roles = (described.Images ?? []).map((i) => [i.ImageId, i.Tags?.find((t) => t.Key === "kx:role")?.Value]);
    expect(Object.fromEntries(roles)).toEqual({ [amis[0]!]: "node", [amis[1]!]: "etcd" });
  });
});

describe("images steps without building", () => {
  it("a configured AMI id is the output, with nothing to plan and no AWS call", async () => {
    const config = awsTestConfig({ images: { node: "ami-0123456789abcdef0" } });
    const ctx = testContext({ aws: offlineAwsClients("eu-west-1"), config });
    const step = nodeStep(config);
    expect(await step.plan(ctx)).toEqual([]);
    expect(await step.apply(ctx, [])).toEqual({ amiId: "ami-0123456789abcdef0" });
  });

  it("plans a build without calling AWS when planning offline", async () => {
    const ctx = testContext({ aws: offlineAwsClients("eu-west-1") });
    const steps = imageSteps(awsTestConfig(), { templatesDir: sandbox.templatesDir });
    expect(steps.map((s) => s.id)).toEqual(["images/node", "images/etcd"]);
    for (const step of steps) expect(await step.plan(ctx)).toHaveLength(1);
  });

  it("apply with an empty plan only looks the image up, and says so when it is gone", async () => {
    const config = awsTestConfig({ etcd: { version: "3.6.4" } });
    const [step] = imageSteps(config, { templatesDir: sandbox.templatesDir, env: sandbox.env(), only: ["etcd"] });
    const before = sandbox.commands().length;
    const error = await rejection(step!.apply(testContext({ aws, config }), []));
    expect(error.message).toMatch(/^no etcd AMI with content hash [0-9a-f]{12}… is in the account any more$/);
    expect(isKxError(error) && error.hint).toContain("kx images build --only etcd");
    expect(sandbox.commands()).toHaveLength(before);
  });
});
