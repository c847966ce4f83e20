import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeAws } from "../harness/fake-aws/index.js";
import { createAwsClients, offlineAwsClients } from "../../src/aws/factory.js";
import { callerIdentity, checkCredentials } from "../../src/aws/identity.js";
import { CredentialsError, isKxError } from "../../src/engine/errors.js";

type Fake = Awaited<ReturnType<typeof startFakeAws>>;
let fake: Fake;
const saved = { ...process.env };

beforeAll(async () => {
  fake = await startFakeAws({ latencyScale: 0, account: "123456789012" });
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.reset();
  fake.setCredentials({});
  // Only what each test sets: no profile files, no instance metadata to wait for.
  for (const key of Object.keys(process.env)) if (key.startsWith("AWS_")) delete process.env[key];
  process.env.AWS_SHARED_CREDENTIALS_FILE = "/nonexistent/credentials";
  process.env.AWS_CONFIG_FILE = "/nonexistent/config";
  process.env.AWS_EC2_METADATA_DISABLED = "true";
});
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

function useKeys(id: string) {
  process.env.AWS_ACCESS_KEY_ID = id;
  process.env.AWS_SECRET_ACCESS_KEY = "secret-for-tests";
}

describe("createAwsClients", () => {
  it("honours AWS_ENDPOINT_URL without an endpoint option", async () => {
    useKeys("AKIAENDPOINT0000001");
    process.env.AWS_ENDPOINT_URL = fake.url;
    const clients = await createAwsClients({ region: "eu-west-1", live: true, retryDelayScale: 0.02 });
    const identity = await checkCredentials(clients);
    expect(identity.account).toBe("123456789012");
    expect(identity.partition).toBe("aws");
    const calls = fake.calls().map((c: { service: string; action: string }) => `${c.service}:${c.action}`);
    expect(calls).toEqual(["sts:GetCallerIdentity", "ec2:DescribeRegions"]);
  });

  it("honours the per-service variable over the general one", async () => {
    useKeys("AKIAENDPOINT0000002");
    process.env.AWS_ENDPOINT_URL = "http://127.0.0.1:9"; // nothing listens there
    process.env.AWS_ENDPOINT_URL_EC2 = fake.url;
    const clients = await createAwsClients({ region: "eu-west-1", live: true, maxAttempts: 1 });
    const ec2 = await clients.ec2();
    const { DescribeVpcsCommand } = await import("@aws-sdk/client-ec2");
    await expect(ec2.send(new DescribeVpcsCommand({}))).resolves.toMatchObject({ Vpcs: [] });
  });

  it("takes the region from AWS_REGION when neither flag nor config sets one", async () => {
    useKeys("AKIAENDPOINT0000003");
    process.env.AWS_REGION = "eu-central-1";
    const clients = await createAwsClients({ live: true, endpoint: fake.url });
    expect(clients.region).toBe("eu-central-1");
  });

  it("without any region says how to set one", async () => {
    useKeys("AKIAENDPOINT0000004");
    const err = await createAwsClients({ live: true, endpoint: fake.url }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CredentialsError);
    expect((err as Error).message).toMatch(/no AWS region/);
    expect((err as CredentialsError).hint).toMatch(/--region/);
  });

  it("offline clients refuse every call, as a bug", async () => {
    const clients = offlineAwsClients("eu-west-1");
    expect(clients.live).toBe(false);
    const err = await clients.ec2().catch((e: unknown) => e);
    expect(isKxError(err) && err.source).toBe("internal");
    expect((err as Error).message).toMatch(/EC2 client while planning offline/);
  });
});

describe("checkCredentials", () => {
  const check = async (region = "eu-west-1") =>
    checkCredentials(await createAwsClients({ region, live: true, endpoint: fake.url, retryDelayScale: 0.02 })).catch((e: unknown) => e);

  it("a key AWS does not know: one CredentialsError, exit 2, nothing created", async () => {
    fake.setCredentials({ valid: ["AKIAGOODKEY00000001"] });
    useKeys("AKIABADKEY000000001");
    const err = await check();
    expect(err).toBeInstanceOf(CredentialsError);
    expect((err as CredentialsError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(/^AWS rejected the credentials \(InvalidClientTokenId/);
    expect((err as CredentialsError).hint).toMatch(/--profile/);
    expect(fake.counts().writes).toBe(0);
  });

  it("expired credentials say so", async () => {
    fake.setCredentials({ expired: ["AKIAOLDKEY000000001"] });
    useKeys("AKIAOLDKEY000000001");
    const err = await check();
    expect(err).toBeInstanceOf(CredentialsError);
    expect((err as Error).message).toMatch(/expired \(ExpiredToken/);
  });

  it("no credentials at all", async () => {
    const err = await check();
    expect(err).toBeInstanceOf(CredentialsError);
    expect((err as Error).message).toMatch(/^no usable AWS credentials found/);
    expect(fake.calls()).toHaveLength(0);
  });

  it("an unknown region is named, with the valid ones", async () => {
    useKeys("AKIAGOODKEY00000002");
    const err = await check("eu-nowhere-1");
    expect(err).toBeInstanceOf(CredentialsError);
    expect((err as Error).message).toBe("unknown AWS region eu-nowhere-1");
    expect((err as CredentialsError).hint).toMatch(/eu-west-1/);
  });

  it("an endpoint that does not answer is one clear error", async () => {
    useKeys("AKIAGOODKEY00000003");
    // Default attempts: STS gives up after three, so the check does not hang on a dead endpoint.
    const clients = await createAwsClients({ region: "eu-west-1", live: true, endpoint: "http://127.0.0.1:9" });
    const err = await checkCredentials(clients).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CredentialsError);
    expect((err as Error).message).toMatch(/cannot reach AWS in region eu-west-1 \(ECONNREFUSED\)/);
  });

  it("asks STS once per client set", async () => {
    useKeys("AKIAGOODKEY00000004");
    const clients = await createAwsClients({ region: "eu-west-1", live: true, endpoint: fake.url });
    await callerIdentity(clients);
    await callerIdentity(clients);
    expect(fake.calls().filter((c: { action: string }) => c.action === "GetCallerIdentity")).toHaveLength(1);
  });
});
