/**
 * Types of the fake AWS endpoint's JS API (index.js is plain JavaScript so that
 * `node test/harness/fake-aws.js` runs without a build).
 */

export interface TestHost {
  /** Address the instance gets as its private IP (and public IP in a public subnet). */
  address: string;
  /** OpenSSH public key lines ("ssh-ed25519 AAAA…") the instance's console prints. */
  hostKeys: string[];
  /** Only an instance whose Name tag matches this glob (* and ?) takes the host. */
  namePattern?: string;
}

export interface FaultSettings {
  /** Fraction (0..1) of calls answered with the service's throttling error. */
  throttleRate?: number;
  /** Seed of the throttling dice, so a run is reproducible (default 1). */
  seed?: number;
  /** The next N calls fail with HTTP 500 (InternalError / InternalFailure / InternalServerError). */
  serverErrorBurst?: number;
  /** After `n` successful calls of `action`, the next one fails once with `code`. */
  failAfter?: { action: string; n: number; code: string; message?: string; status?: number } | null;
}

export interface CredentialSettings {
  /** When set, only these access key ids are accepted (others: InvalidClientTokenId / AuthFailure / UnrecognizedClientException). */
  valid?: string[] | null;
  /** Access key ids answered with ExpiredToken / RequestExpired / ExpiredTokenException. */
  expired?: string[];
  /** Secret per access key id: requests from these keys must carry a valid SigV4 signature (else SignatureDoesNotMatch / InvalidSignatureException). */
  secrets?: Record<string, string>;
  /** Account id for ARNs and GetCallerIdentity (default 000000000000). */
  account?: string;
  /** Arn GetCallerIdentity returns. */
  userArn?: string;
}

export interface CallRecord {
  time: string;
  service: "ec2" | "autoscaling" | "elbv2" | "iam" | "sts" | "ssm" | "route53" | "rds" | "ecr";
  action: string;
  kind: "read" | "write";
  status: number;
  /** The AWS error code returned, if the call failed. */
  error?: string;
}

export interface ImageSpec {
  name: string;
  imageId?: string;
  ownerId?: string;
  ownerAlias?: string;
  architecture?: "x86_64" | "arm64";
  description?: string;
  tags?: Record<string, string>;
  state?: string;
  creationDate?: string;
  isPublic?: boolean;
}

export interface StartOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  region?: string;
  account?: string;
  /** Multiplies every modelled delay: 0 = transitions on the next request, 1 = realistic (NAT ~60 s). */
  latencyScale?: number;
  hosts?: TestHost[];
  /** Load balancer health checks really connect (TCP) to each target's address and health-check port. */
  probeTargets?: boolean;
}

export interface FakeAws {
  /** Endpoint for the SDK / AWS_ENDPOINT_URL, e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  region: string;
  stop(): Promise<void>;
  /** Forget every resource, the call log and faults (hosts, credentials and latency stay). */
  reset(): void;
  /** Apply what is due and let services reconcile, `rounds` steps (default 5), without a request or a logged call. */
  settle(rounds?: number): void;
  /** Every resource by type (vpc, subnet, igw, eip, nat, rtb, sg, eni, instance, keypair, lt, image, role, instanceProfile, lb, tg, listener, asg, dbSubnetGroup, dbInstance, parameter, repository, zone, change, …), each with its tags. */
  inventory(): Record<string, Array<Record<string, any> & { id: string; tags?: Record<string, string> }>>;
  calls(): CallRecord[];
  clearCalls(): void;
  counts(): { reads: number; writes: number };
  setFaults(f: FaultSettings): void;
  setHosts(hosts: TestHost[]): void;
  setCredentials(c: CredentialSettings): void;
  setLatencyScale(scale: number): void;
  setProbeTargets(on: boolean): void;
  /** Make an AMI that DescribeImages finds; returns its id. */
  registerImage(spec: ImageSpec): string;
  /** Temporary credentials of an instance role (what IMDS hands out); requests signed with them are held to the role's inline policies. */
  issueRoleCredentials(role: string, sessionName: string): { accessKeyId: string; secretAccessKey: string; sessionToken: string };
}

export function startFakeAws(opts?: StartOptions): Promise<FakeAws>;
