/**
 * Who kx runs as, checked once before anything is created: missing, rejected or expired
 * credentials and an unknown or disabled region each give one clear CredentialsError
 * (exit 2). The identity (account, partition) is remembered per client set; IAM policies
 * need the account id for their ARNs.
 */
import type { AwsClients } from "./clients.js";
import { CredentialsError, isKxError } from "../engine/errors.js";
import { awsMessage, errorCode, isCredentialsProblem, toAwsError } from "./errors.js";
import { sdkModules } from "./sdk-modules.js";

export interface CallerIdentity {
  account: string;
  arn: string;
  /** "aws", "aws-cn", "aws-us-gov": the first field of every ARN kx writes. */
  partition: string;
}

const identities = new WeakMap<AwsClients, Promise<CallerIdentity>>();

const CREDENTIALS_HINT =
  "kx uses the standard AWS credential chain: pass --profile or set AWS_PROFILE, run `aws sso login` for SSO profiles, " +
  "or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. `aws sts get-caller-identity` shows what the chain finds.";

/** Verifies credentials and region; returns the caller's identity. Nothing is created. */
export async function checkCredentials(clients: AwsClients): Promise<CallerIdentity> {
  const identity = await callerIdentity(clients);
  await checkRegion(clients);
  return identity;
}

/** The caller's identity, asked of STS once per client set. */
export function callerIdentity(clients: AwsClients): Promise<CallerIdentity> {
  let cached = identities.get(clients);
  if (!cached) {
    cached = fetchIdentity(clients);
    identities.set(clients, cached);
    cached.catch(() => identities.delete(clients));
  }
  return cached;
}

async function fetchIdentity(clients: AwsClients): Promise<CallerIdentity> {
  const { GetCallerIdentityCommand } = sdkModules.sts();
  const sts = await clients.sts();
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    const arn = out.Arn ?? "";
    return { account: out.Account ?? "", arn, partition: arn.split(":")[1] || "aws" };
  } catch (e) {
    throw explainCredentialsFailure(e, clients.region);
  }
}

/** Maps whatever went wrong while asking STS who we are to one user-facing error. */
export function explainCredentialsFailure(e: unknown, region: string): Error {
  if (isKxError(e)) return e;
  const code = errorCode(e) ?? "";
  const detail = awsMessage(e);
  if (code === "CredentialsProviderError" || (e instanceof Error && e.name === "CredentialsProviderError")) {
    return new CredentialsError(`no usable AWS credentials found${detail ? ` (${detail})` : ""}`, CREDENTIALS_HINT, e);
  }
  if (/Expired/i.test(code)) {
    return new CredentialsError(`the AWS credentials have expired (${code})`, "Refresh them (`aws sso login`, or new temporary keys) and run the same command again.", e);
  }
  if (isCredentialsProblem(e)) {
    return new CredentialsError(`AWS rejected the credentials (${code}${detail ? `: ${detail}` : ""})`, CREDENTIALS_HINT, e);
  }
  const network = networkCode(e);
  if (network) {
    const endpoint = process.env.AWS_ENDPOINT_URL_STS ?? process.env.AWS_ENDPOINT_URL;
    return new CredentialsError(
      endpoint
        ? `cannot reach the AWS endpoint ${endpoint} (${network})`
        : `cannot reach AWS in region ${region} (${network}): the region name may be wrong, or there is no network`,
      endpoint ? "Check AWS_ENDPOINT_URL." : "Check --region / the config's `region` (e.g. eu-west-1) and your network.",
      e,
    );
  }
  return toAwsError(e, "sts:GetCallerIdentity", undefined);
}

/** An unknown region, or one not enabled for the account, fails here rather than at the first create. */
async function checkRegion(clients: AwsClients): Promise<void> {
  const { DescribeRegionsCommand } = sdkModules.ec2();
  const ec2 = await clients.ec2();
  let regions;
  try {
    regions = (await ec2.send(new DescribeRegionsCommand({ AllRegions: true }))).Regions ?? [];
  } catch (e) {
    if (networkCode(e)) throw explainCredentialsFailure(e, clients.region);
    throw toAwsError(e, "ec2:DescribeRegions", `region ${clients.region}`);
  }
  const found = regions.find((r) => r.RegionName === clients.region);
  if (!found) {
    const names = regions.map((r) => r.RegionName).filter(Boolean).sort().join(", ");
    throw new CredentialsError(`unknown AWS region ${clients.region}`, `Use one of: ${names}.`);
  }
  if (found.OptInStatus === "not-opted-in") {
    throw new CredentialsError(
      `the AWS region ${clients.region} is not enabled for this account`,
      "Enable it in the AWS console (Account → AWS Regions) or choose another region.",
    );
  }
}

function networkCode(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 4; cur = (cur as { cause?: unknown }).cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === "string" && /^(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH)$/.test(code)) return code;
  }
  return undefined;
}
