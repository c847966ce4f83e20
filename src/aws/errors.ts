/**
 * SDK errors turned into AwsError (the call, the resource, the AWS code, and what to do
 * about it), plus the classifiers steps use to decide that a failure is really success
 * ("already exists", "not found" while deleting) or worth retrying.
 */
import { AwsError, isKxError } from "../engine/errors.js";
import { redact } from "../engine/secret.js";

/** The AWS error code of an SDK error ("InvalidVpcID.NotFound"), or undefined for other errors. */
export function errorCode(e: unknown): string | undefined {
  if (typeof e !== "object" || e === null) return undefined;
  if (isKxError(e)) return e instanceof AwsError ? e.code : undefined;
  const err = e as { name?: unknown; Code?: unknown; code?: unknown; __type?: unknown; $metadata?: unknown };
  for (const candidate of [err.Code, err.code, err.name, err.__type]) {
    if (typeof candidate === "string" && candidate !== "Error" && candidate.length > 0) {
      // JSON protocols may send "com.amazonaws.ecr#RepositoryNotFoundException".
      return candidate.includes("#") ? candidate.slice(candidate.lastIndexOf("#") + 1) : candidate;
    }
  }
  return undefined;
}

const NOT_FOUND = /(NotFound|NoSuch|^ParameterNotFound$|NotFoundFault$|NotFoundException$)/;
const ALREADY_EXISTS =
  /(AlreadyExists|\.Duplicate$|^Duplicate[A-Za-z]*Name$|^DuplicateListener$|^RouteAlreadyExists$|^Resource\.AlreadyAssociated$)/;
const DEPENDENCY = /^(DependencyViolation|ResourceInUse|ResourceInUseFault|DeleteConflict|HostedZoneNotEmpty|InvalidDBSubnetGroupStateFault|InvalidDBInstanceState|RepositoryNotEmptyException|ScalingActivityInProgress)$/;
const THROTTLING = /^(Throttling|ThrottlingException|RequestLimitExceeded|TooManyRequestsException|RequestThrottled|RequestThrottledException|SlowDown|PriorRequestNotComplete)$/;
const QUOTA = /(LimitExceeded|QuotaExceeded|^TooMany(?!Requests))/;
const CREDENTIALS =
  /^(InvalidClientTokenId|SignatureDoesNotMatch|ExpiredToken|ExpiredTokenException|UnrecognizedClientException|AuthFailure|InvalidAccessKeyId|CredentialsProviderError|InvalidSignatureException|IncompleteSignature|MissingAuthenticationToken)$/;
const ACCESS_DENIED = /^(AccessDenied|AccessDeniedException|UnauthorizedOperation|Forbidden)$/;

export function isNotFound(e: unknown): boolean {
  const code = errorCode(e);
  return code !== undefined && NOT_FOUND.test(code);
}

export function isAlreadyExists(e: unknown): boolean {
  const code = errorCode(e);
  return code !== undefined && ALREADY_EXISTS.test(code);
}

/** Something else still uses the resource: deleting it again later may succeed. */
export function isDependencyViolation(e: unknown): boolean {
  const code = errorCode(e);
  return code !== undefined && DEPENDENCY.test(code);
}

export function isThrottling(e: unknown): boolean {
  const code = errorCode(e);
  return code !== undefined && THROTTLING.test(code);
}

/** A service quota stops the call; retrying will not help. (RequestLimitExceeded is throttling, not a quota.) */
export function isQuotaExceeded(e: unknown): boolean {
  const code = errorCode(e);
  return code !== undefined && !THROTTLING.test(code) && QUOTA.test(code);
}

export function isCredentialsProblem(e: unknown): boolean {
  const code = errorCode(e);
  return code !== undefined && CREDENTIALS.test(code);
}

/** The message AWS sent with the error, redacted, or undefined. */
export function awsMessage(e: unknown): string | undefined {
  if (!(e instanceof Error) || isKxError(e)) return undefined;
  const text = e.message?.trim();
  if (!text || text === "UnknownError" || text === errorCode(e)) return undefined;
  return redact(text);
}

/**
 * Wraps an SDK error as an AwsError naming the call and the resource. KxErrors (already
 * explained) pass through unchanged.
 */
export function toAwsError(e: unknown, operation: string, resource?: string): Error {
  if (isKxError(e)) return e;
  const code = errorCode(e) ?? (e instanceof Error ? e.name : "UnknownError");
  const detail = awsMessage(e);
  const message = `${operation} failed${detail ? ` — ${detail}` : ""}`;
  return new AwsError(message, code, resource, { source: sourceOf(code), hint: hintFor(code, operation), cause: e });
}

/** Runs one AWS call; any SDK error becomes an AwsError naming `operation` and `resource`. */
export async function awsCall<T>(operation: string, resource: string | undefined, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw toAwsError(e, operation, resource);
  }
}

function sourceOf(code: string): "user" | "internal" {
  return QUOTA.test(code) && !THROTTLING.test(code)
    ? "user"
    : CREDENTIALS.test(code) || ACCESS_DENIED.test(code)
      ? "user"
      : "internal";
}

function hintFor(code: string, operation: string): string | undefined {
  if (THROTTLING.test(code)) {
    return "AWS kept throttling the calls even after retries; wait a minute and run the same command again (it resumes).";
  }
  if (QUOTA.test(code)) {
    return (
      `An AWS service quota was reached (${code}). Free some of the resources it counts, or request an increase ` +
      "in the Service Quotas console (https://console.aws.amazon.com/servicequotas/) for this region, then run the same command again."
    );
  }
  if (CREDENTIALS.test(code)) {
    return "Check the AWS credentials kx uses (AWS_PROFILE / --profile, `aws sts get-caller-identity`); refresh them if they expired (`aws sso login`).";
  }
  if (ACCESS_DENIED.test(code)) {
    return `The AWS identity kx runs as may not call ${operation}; grant it the permission (see the README's IAM section) and run the same command again.`;
  }
  if (code === "IdempotentParameterMismatch") {
    return "A previous run created this resource with different parameters under the same idempotency token; delete the half-made resource (or `kx destroy`) and run again.";
  }
  return undefined;
}

/**
 * Like awsCall, for a call on a resource created moments ago: AWS is eventually
 * consistent, so "not found" right after a create is retried a few times (about 20 s in
 * all on AWS) before it counts.
 */
export async function awsCallEventually<T>(operation: string, resource: string | undefined, call: () => Promise<T>, attempts = 6): Promise<T> {
  const base = Math.min(1_000, Number(process.env.KX_AWS_POLL_MS) > 0 ? Number(process.env.KX_AWS_POLL_MS) : 1_000);
  for (let i = 1; ; i++) {
    try {
      return await call();
    } catch (e) {
      if (!isNotFound(e) || i >= attempts) throw toAwsError(e, operation, resource);
      await new Promise((resolve) => setTimeout(resolve, base * 2 ** (i - 1)));
    }
  }
}
