/**
 * A second, independent client of the same wire protocol: Debian's AWS CLI v2 (botocore)
 * against the fake started by hand with the launcher, as a developer would.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import { once } from "node:events";

const run = promisify(execFile);
const AWS = "/usr/bin/aws";
let child: ChildProcess | undefined;
let url = "";

beforeAll(async () => {
  child = spawn(process.execPath, ["test/harness/fake-aws.js", "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout!.setEncoding("utf8");
  while (!/listening on (\S+)/.test(out)) {
    const [chunk] = (await once(child.stdout!, "data")) as [string];
    out += chunk;
  }
  url = /listening on (\S+)/.exec(out)![1];
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill("SIGTERM");
    await once(child, "exit");
  }
});

async function aws(...args: string[]): Promise<string> {
  const { stdout } = await run(AWS, ["--endpoint-url", url, "--output", "json", ...args], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ACCESS_KEY_ID: "AKIDCLI",
      AWS_SECRET_ACCESS_KEY: "secret",
      AWS_DEFAULT_REGION: "eu-west-1",
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      AWS_PAGER: "",
    },
  });
  return stdout;
}

describe("the AWS CLI against the launcher", () => {
  // Each CLI run starts a Python interpreter: allow for a loaded machine.
  it("prints its URL and serves a VPC and a subnet the CLI creates and describes", { timeout: 180_000 }, async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // botocore's signatures must verify, as a second check of the fake's SigV4 canonicalisation.
    await fetch(`${url}/_fake/credentials`, { method: "POST", body: JSON.stringify({ secrets: { AKIDCLI: "secret" } }) });
    const vpc = JSON.parse(await aws("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16", "--tag-specifications", "ResourceType=vpc,Tags=[{Key=Name,Value=cli}]")).Vpc;
    expect(vpc).toMatchObject({ CidrBlock: "10.0.0.0/16", Tags: [{ Key: "Name", Value: "cli" }] });
    const subnet = JSON.parse(await aws("ec2", "create-subnet", "--vpc-id", vpc.VpcId, "--cidr-block", "10.0.1.0/24", "--availability-zone", "eu-west-1b")).Subnet;
    expect(subnet).toMatchObject({ VpcId: vpc.VpcId, CidrBlock: "10.0.1.0/24", AvailabilityZone: "eu-west-1b" });
    const [vpcsOut, subnetsOut, err] = await Promise.all([
      aws("ec2", "describe-vpcs", "--filters", "Name=tag:Name,Values=cli"),
      aws("ec2", "describe-subnets", "--filters", `Name=vpc-id,Values=${vpc.VpcId}`),
      aws("ec2", "create-subnet", "--vpc-id", vpc.VpcId, "--cidr-block", "10.1.0.0/24").then(
        () => "",
        (e: { stderr: string }) => e.stderr,
      ),
    ]);
    expect(JSON.parse(vpcsOut).Vpcs.map((v: { VpcId: string }) => v.VpcId)).toEqual([vpc.VpcId]);
    const subnets = JSON.parse(subnetsOut).Subnets;
    expect(subnets).toHaveLength(1);
    expect(subnets[0]).toMatchObject({ SubnetId: subnet.SubnetId, State: "available", AvailableIpAddressCount: 251 });
    expect(err).toContain("(InvalidSubnet.Range) when calling the CreateSubnet operation");
  });
});
