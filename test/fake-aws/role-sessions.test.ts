/** Instance role credentials: the fake holds requests signed with them to the role's policies, as IAM does. */
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { GetParameterCommand, GetParametersByPathCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import { clientConfig, failure, useFake } from "./fake.js";

const fake = useFake();
const arn = (name: string) => `arn:aws:ssm:eu-west-1:000000000000:parameter/kx/lab/${name}`;

async function workerRole(statements: object[]) {
  const iam = new IAMClient(clientConfig(fake()));
  const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] };
  await iam.send(new CreateRoleCommand({ RoleName: "kx-lab-worker", AssumeRolePolicyDocument: JSON.stringify(trust) }));
  await iam.send(new PutRolePolicyCommand({ RoleName: "kx-lab-worker", PolicyName: "kx", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: statements }) }));
  const c = fake().issueRoleCredentials("kx-lab-worker", "i-0abc");
  const config = { ...clientConfig(fake()), credentials: c };
  return { ssm: new SSMClient(config), sts: new STSClient(config) };
}

describe("role sessions", () => {
  it("allow what the role's policy allows, on the resources it names, and deny the rest", async () => {
    const admin = new SSMClient(clientConfig(fake()));
    for (const name of ["/kx/lab/join/token", "/kx/lab/pki/ca.key"]) await admin.send(new PutParameterCommand({ Name: name, Value: "v", Type: "SecureString" }));
    const { ssm, sts } = await workerRole([
      { Effect: "Allow", Action: ["ssm:GetParameter", "ssm:GetParametersByPath"], Resource: [arn("join"), arn("join/*")] },
      { Effect: "Deny", Action: "ssm:GetParameter", Resource: arn("join/forbidden") },
    ]);

    expect((await ssm.send(new GetParameterCommand({ Name: "/kx/lab/join/token", WithDecryption: true }))).Parameter?.Value).toBe("v");
    expect((await ssm.send(new GetParametersByPathCommand({ Path: "/kx/lab/join" }))).Parameters).toHaveLength(1);
    expect(await failure(ssm.send(new GetParameterCommand({ Name: "/kx/lab/pki/ca.key" })))).toMatchObject({
      name: "AccessDeniedException",
      message: expect.stringContaining(`assumed-role/kx-lab-worker/i-0abc is not authorized to perform: ssm:GetParameter on resource: ${arn("pki/ca.key")}`),
    });
    expect(await failure(ssm.send(new PutParameterCommand({ Name: "/kx/lab/join/token", Value: "x", Type: "SecureString", Overwrite: true })))).toMatchObject({ name: "AccessDeniedException" });
    expect(await failure(ssm.send(new GetParameterCommand({ Name: "/kx/lab/join/forbidden" })))).toMatchObject({ message: expect.stringContaining("explicit deny") });
    // Who am I needs no permission.
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe("000000000000");
  });

  it("the test's own long-lived keys are not held to any role", async () => {
    const admin = new SSMClient(clientConfig(fake()));
    await admin.send(new PutParameterCommand({ Name: "/kx/lab/pki/ca.key", Value: "v", Type: "SecureString" }));
    expect((await admin.send(new GetParameterCommand({ Name: "/kx/lab/pki/ca.key" }))).Parameter?.Name).toBe("/kx/lab/pki/ca.key");
  });
});
