import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeAws } from "../harness/fake-aws/index.js";
import { SsmSecretStore } from "../../src/aws/ssm-secret-store.js";
import { Secret } from "../../src/engine/secret.js";
import { fakeAwsClients } from "../steps/context.js";

type Fake = Awaited<ReturnType<typeof startFakeAws>>;
let fake: Fake;

beforeAll(async () => {
  fake = await startFakeAws({ latencyScale: 0 });
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => fake.reset());

describe("SsmSecretStore", () => {
  it("keeps each secret as a SecureString under /kx/<cluster>/ with the SSM default key", async () => {
    const clients = await fakeAwsClients(fake.url);
    const store = new SsmSecretStore(clients, "lab");
    const pem = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n";
    await store.put("pki/etcd/ca.key", new Secret(pem), { description: "etcd CA key" });
    await store.put("join/token", "abcdef.0123456789abcdef");

    const got = await store.get("pki/etcd/ca.key");
    expect(got).toBeInstanceOf(Secret);
    expect(got!.reveal()).toBe(pem);
    expect(String(got)).toBe("***");
    expect(await store.get("pki/missing")).toBeUndefined();

    const { GetParameterCommand } = await import("@aws-sdk/client-ssm");
    const ssm = await clients.ssm();
    const raw = await ssm.send(new GetParameterCommand({ Name: "/kx/lab/pki/etcd/ca.key" }));
    expect(raw.Parameter?.Type).toBe("SecureString");
    const { DescribeParametersCommand } = await import("@aws-sdk/client-ssm");
    const meta = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Values: ["/kx/lab/pki/etcd/ca.key"] }] }));
    expect(meta.Parameters?.[0]?.KeyId).toBe("alias/aws/ssm");
  });

  it("overwrites, lists by prefix and deletes idempotently", async () => {
    const store = new SsmSecretStore(await fakeAwsClients(fake.url), "lab");
    const other = new SsmSecretStore(await fakeAwsClients(fake.url), "other");
    await store.put("join/token", "first-token-value");
    await store.put("join/token", "second-token-value");
    expect((await store.get("join/token"))!.reveal()).toBe("second-token-value");
    for (const name of ["pki/ca.crt", "pki/ca.key", "pki/etcd/ca.crt", "pki/etcd/etcd-a/server.crt", "join/ca-hash"]) {
      await store.put(name, `value of ${name}`);
    }
    await other.put("pki/ca.key", "another cluster's key");
    // More than one page of GetParametersByPath (the fake pages by 10).
    for (let i = 0; i < 12; i++) await store.put(`pki/etcd/extra-${String(i).padStart(2, "0")}.crt`, `extra ${i}`);

    const etcd = await store.list("pki/etcd/");
    expect(etcd).toHaveLength(14);
    expect(etcd).toContain("pki/etcd/etcd-a/server.crt");
    expect(await store.list("join/")).toEqual(["join/ca-hash", "join/token"]);
    expect(await store.list("pki/ca")).toEqual(["pki/ca.crt", "pki/ca.key"]);

    await store.delete("join/token");
    await store.delete("join/token");
    expect(await store.get("join/token")).toBeUndefined();
    expect((await other.get("pki/ca.key"))!.reveal()).toBe("another cluster's key");
  });
});
