/**
 * The one place SDK clients are made. Each service's module is imported on first use,
 * so `kx --help` and commands that never talk to AWS load no SDK code. Credentials come
 * from the standard chain (env, SSO, profiles, instance roles) with `--profile`; the SDK
 * itself honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> (and `endpoint_url` in
 * the profile), which is how kx is pointed at an emulator.
 */
import type { AwsClients } from "./clients.js";
import { CredentialsError, KxError } from "../engine/errors.js";
import { sdkModules } from "./sdk-modules.js";

export interface AwsClientOptions {
  /** --region, else the config's region; when both are absent, AWS_REGION or the profile's region. */
  region?: string;
  /** --profile; AWS_PROFILE otherwise (the SDK reads it). */
  profile?: string;
  live: boolean;
  /** An explicit endpoint for every service (tests). Normally unset: AWS_ENDPOINT_URL* apply. */
  endpoint?: string;
  /** Attempts per call, including the first; adaptive retries back off on throttling. Default 10. */
  maxAttempts?: number;
  /**
   * Multiplies the SDK's retry delays (default 1, or KX_AWS_RETRY_DELAY_SCALE): the local
   * test cloud throttles at random, not because calls come too fast, so its tests wait
   * less between retries than AWS needs.
   */
  retryDelayScale?: number;
}

const MIN_CALLS_PER_SECOND = 5;

type ClientConstructor<T> = new (config: Record<string, unknown>) => T;

/** Lazily builds every client with the same region, credentials, retries and endpoint. */
export async function createAwsClients(options: AwsClientOptions): Promise<AwsClients> {
  if (!options.live) return offlineAwsClients(options.region ?? "(unknown region)");
  // The SDK warns on every run that future releases need Node 22: a note for kx's
  // maintainers (package.json engines), not something the operator can act on.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const { fromNodeProviderChain } = sdkModules.credentialProviders();
  const credentials = fromNodeProviderChain(options.profile ? { profile: options.profile } : {});
  const region = options.region ?? (await regionFromEnvironment(options.profile));
  const maxAttempts = options.maxAttempts ?? 10;
  const delayScale = options.retryDelayScale ?? positiveNumber(process.env.KX_AWS_RETRY_DELAY_SCALE) ?? 1;
  const { AdaptiveRetryStrategy, DefaultRateLimiter } = sdkModules.retry();

  const config: Record<string, unknown> = {
    region,
    credentials,
    maxAttempts,
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  };
  const lazy = <T>(load: () => Promise<ClientConstructor<T>>, attempts = maxAttempts): (() => Promise<T>) => {
    let client: Promise<T> | undefined;
    return () =>
      (client ??= load().then(
        (Client) =>
          // Adaptive retries: backoff plus a client-side rate limiter that slows down
          // when AWS throttles. Its default floor (0.5 calls/s) turns a burst of
          // throttling into minutes of crawling; 5 calls/s is still far below any EC2,
          // IAM or ELB request-rate quota.
          new Client({
            ...config,
            maxAttempts: attempts,
            retryStrategy: new AdaptiveRetryStrategy(attempts, {
              maxAttempts: attempts,
              rateLimiter: new DefaultRateLimiter({ minFillRate: MIN_CALLS_PER_SECOND / delayScale }),
              backoff: new ScaledBackoff(delayScale),
            }),
          }),
      ));
  };

  return {
    region,
    live: true,
    profile: options.profile,
    ec2: lazy(async () => sdkModules.ec2().EC2Client),
    autoscaling: lazy(async () => sdkModules.autoscaling().AutoScalingClient),
    elbv2: lazy(async () => sdkModules.elbv2().ElasticLoadBalancingV2Client),
    iam: lazy(async () => sdkModules.iam().IAMClient),
    // STS only answers "who am I" before anything starts: a wrong region or a dead
    // endpoint should fail in a moment, not after ten network retries.
    sts: lazy(async () => sdkModules.sts().STSClient, Math.min(3, maxAttempts)),
    ssm: lazy(async () => sdkModules.ssm().SSMClient),
    route53: lazy(async () => sdkModules.route53().Route53Client),
    rds: lazy(async () => sdkModules.rds().RDSClient),
    ecr: lazy(async () => sdkModules.ecr().ECRClient),
    kms: lazy(async () => sdkModules.kms().KMSClient),
  };
}

/**
 * Clients for planning without credentials: `live` is false and any client getter is a
 * bug (a step must plan "create" for everything without calling AWS).
 */
export function offlineAwsClients(region: string): AwsClients {
  const refuse = (service: string) => async (): Promise<never> => {
    throw new KxError(`internal error: a step asked for the ${service} client while planning offline (aws.live is false)`, {
      source: "internal",
      hint: "This is a bug in kx: steps must check ctx.aws.live before calling AWS.",
    });
  };
  return {
    region,
    live: false,
    ec2: refuse("EC2"),
    autoscaling: refuse("Auto Scaling"),
    elbv2: refuse("ELBv2"),
    iam: refuse("IAM"),
    sts: refuse("STS"),
    ssm: refuse("SSM"),
    route53: refuse("Route 53"),
    rds: refuse("RDS"),
    ecr: refuse("ECR"),
    kms: refuse("KMS"),
  };
}

/**
 * The SDK's default backoff (full jitter, exponential, capped at 20 s) with its delays
 * multiplied by `scale`; the SDK sets the base (50 ms, 1 s for throttling) before each retry.
 */
class ScaledBackoff {
  private base = 50;
  constructor(private readonly scale: number) {}
  setDelayBase(delay: number): void {
    this.base = delay * this.scale;
  }
  computeNextBackoffDelay(retry: number): number {
    return Math.floor(Math.random() * Math.min(this.base * 2 ** retry, 20_000 * this.scale));
  }
}

function positiveNumber(text: string | undefined): number | undefined {
  const n = Number(text);
  return text && Number.isFinite(n) && n > 0 ? n : undefined;
}

/** AWS_REGION or the profile's `region`, resolved the way the SDK resolves it. */
async function regionFromEnvironment(profile: string | undefined): Promise<string> {
  const { STSClient } = sdkModules.sts();
  const probe = new STSClient(profile ? { profile } : {});
  try {
    const region = await probe.config.region();
    if (region) return region;
  } catch {
    // fall through to the error below
  } finally {
    probe.destroy();
  }
  throw new CredentialsError(
    "no AWS region: neither --region, the config's `region`, AWS_REGION nor the AWS profile sets one",
    "Pass --region (e.g. --region eu-west-1), set `region:` in the cluster config, or export AWS_REGION.",
  );
}
