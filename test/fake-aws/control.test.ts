import { describe, expect, it } from "vitest";
import { EC2Client, CreateVpcCommand, DescribeVpcsCommand, CreateSubnetCommand, CreateVpnGatewayCommand } from "@aws-sdk/client-ec2";
import { SSMClient, PutParameterCommand, GetParameterCommand, GetDocumentCommand } from "@aws-sdk/client-ssm";
import { IAMClient, GetRoleCommand } from "@aws-sdk/client-iam";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import { clientConfig, failure, useFake } from "./fake.js";

const fake = useFake();

describe("faults", () => {
  it("throttles 25% of calls and the SDK's retries still get every call through", async () => {
    fake().setFaults({ throttleRate: 0.25, seed: 7 });
    // The SDK's own retry decisions (which errors are throttling) with a short backoff.
    const retries = { retryStrategy: new ConfiguredRetryStrategy(6, () => 10) };
    const ec2 = new EC2Client({ ...clientConfig(fake()), ...retries });
    const ssm = new SSMClient({ ...clientConfig(fake()), ...retries });
    for (let i = 0; i < 12; i++) {
      await ec2.send(new CreateVpcCommand({ CidrBlock: `10.${i}.0.0/16` }));
      await ssm.send(new PutParameterCommand({ Name: `/kx/p${i}`, Value: "v", Type: "String" }));
    }
    expect((await ec2.send(new DescribeVpcsCommand({}))).Vpcs).toHaveLength(12);
    const throttled = fake().calls().filter((c) => c.error);
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled.every((c) => c.error === (c.service === "ec2" ? "RequestLimitExceeded" : "ThrottlingException"))).toBe(true);
    expect(new Set(throttled.map((c) => c.service))).toEqual(new Set(["ec2", "ssm"]));
  });

  it("surfaces throttling with AWS's codes when retries are off", async () => {
    fake().setFaults({ throttleRate: 1 });
    const one = { ...clientConfig(fake()), maxAttempts: 1 };
    expect((await failure(new EC2Client(one).send(new DescribeVpcsCommand({}))))).toMatchObject({ name: "RequestLimitExceeded" });
    expect((await failure(new IAMClient(one).send(new GetRoleCommand({ RoleName: "x" }))))).toMatchObject({ name: "Throttling" });
    expect((await failure(new SSMClient(one).send(new GetParameterCommand({ Name: "/x" }))))).toMatchObject({ name: "ThrottlingException" });
  });

  it("fails a burst of calls with server errors that the SDK retries", async () => {
    fake().setFaults({ serverErrorBurst: 2 });
    const ec2 = new EC2Client({ ...clientConfig(fake()), maxAttempts: 3 });
    await ec2.send(new DescribeVpcsCommand({}));
    expect(fake().calls().map((c) => c.status)).toEqual([500, 500, 200]);
  });

  it("fails one chosen call after N successful ones", async () => {
    fake().setFaults({ failAfter: { action: "CreateVpc", n: 1, code: "VpcLimitExceeded", message: "The maximum number of VPCs has been reached." } });
    const ec2 = new EC2Client(clientConfig(fake()));
    await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }));
    const e = await failure(ec2.send(new CreateVpcCommand({ CidrBlock: "10.1.0.0/16" })));
    expect(e).toMatchObject({ name: "VpcLimitExceeded", message: "The maximum number of VPCs has been reached." });
    await ec2.send(new CreateVpcCommand({ CidrBlock: "10.2.0.0/16" }));
  });
});

describe("settle", () => {
  it("moves pending work along without a logged call", async () => {
    const ec2 = new EC2Client(clientConfig(fake()));
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }));
    expect(fake().inventory().vpc[0].state).toBe("pending");
    fake().settle();
    expect(fake().inventory().vpc[0].state).toBe("available");
    expect(fake().counts()).toEqual({ reads: 0, writes: 1 });
    expect(vpc.Vpc!.State).toBe("pending");
  });
});

describe("unmodelled calls", () => {
  it("fail loudly instead of pretending to succeed", async () => {
    expect((await failure(new EC2Client(clientConfig(fake())).send(new CreateVpnGatewayCommand({ Type: "ipsec.1" })))).name).toBe("InvalidAction");
    expect((await failure(new SSMClient(clientConfig(fake())).send(new GetDocumentCommand({ Name: "x" })))).name).toBe("UnknownOperationException");
  });
});

describe("call log, inventory, reset", () => {
  it("counts reads and writes, dumps resources by type with tags, and resets", async () => {
    const ec2 = new EC2Client(clientConfig(fake()));
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16", TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "kx:cluster", Value: "a" }] }] }));
    await ec2.send(new CreateSubnetCommand({ VpcId: vpc.Vpc!.VpcId!, CidrBlock: "10.0.1.0/24" }));
    await ec2.send(new DescribeVpcsCommand({}));
    expect(fake().counts()).toEqual({ reads: 1, writes: 2 });
    expect(fake().calls().map((c) => [c.service, c.action, c.kind])).toEqual([
      ["ec2", "CreateVpc", "write"],
      ["ec2", "CreateSubnet", "write"],
      ["ec2", "DescribeVpcs", "read"],
    ]);
    const inv = fake().inventory();
    expect(inv.vpc).toHaveLength(1);
    expect(inv.vpc[0]).toMatchObject({ id: vpc.Vpc!.VpcId, cidrBlock: "10.0.0.0/16", tags: { "kx:cluster": "a" } });
    expect(inv.subnet).toHaveLength(1);
    fake().clearCalls();
    expect(fake().counts()).toEqual({ reads: 0, writes: 0 });
    fake().reset();
    expect(fake().inventory()).toEqual({});
    expect((await ec2.send(new DescribeVpcsCommand({}))).Vpcs).toEqual([]);
  });

  it("serves the same controls over HTTP under /_fake/", async () => {
    const base = `${fake().url}/_fake`;
    const post = (name: string, body?: unknown) => fetch(`${base}/${name}`, { method: "POST", body: body === undefined ? undefined : JSON.stringify(body) }).then((r) => r.json());
    expect(await fetch(`${base}/health`).then((r) => r.json())).toEqual({ ok: true });
    const { imageId } = (await post("images", { name: "kx-node-x", tags: { "kx:image": "node" } })) as { imageId: string };
    expect(imageId).toMatch(/^ami-/);
    await post("hosts", [{ address: "127.0.1.9", hostKeys: [] }]);
    await post("faults", { failAfter: { action: "DescribeVpcs", n: 0, code: "UnauthorizedOperation" } });
    const ec2 = new EC2Client(clientConfig(fake()));
    expect((await failure(ec2.send(new DescribeVpcsCommand({})))).name).toBe("UnauthorizedOperation");
    expect(await fetch(`${base}/counts`).then((r) => r.json())).toEqual({ reads: 1, writes: 0 });
    const calls = (await fetch(`${base}/calls`).then((r) => r.json())) as { error?: string }[];
    expect(calls[0].error).toBe("UnauthorizedOperation");
    const inv = (await fetch(`${base}/inventory`).then((r) => r.json())) as Record<string, { id: string }[]>;
    expect(inv.image[0].id).toBe(imageId);
    await post("credentials", { valid: ["NOPE"] });
    expect((await failure(ec2.send(new DescribeVpcsCommand({})))).name).toBe("AuthFailure");
    await post("credentials", {});
    await post("reset");
    expect(await fetch(`${base}/inventory`).then((r) => r.json())).toEqual({});
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});
