/** The pieces of `kx destroy`: what a phase finds, and what it needs to know. */
import type { AwsStepContext } from "../../aws/resource-step.js";
import type { ClusterConfig } from "../../config/schema.js";

/** What destroy sees: the AWS step context, plus the config when there is one (zones, DNS, ECR names). */
export interface DestroyContext extends AwsStepContext {
  readonly config?: ClusterConfig;
}

export interface DestroyOptions {
  /** Take a final snapshot of the RDS instance before deleting it (default true: data is not thrown away silently). */
  rdsFinalSnapshot?: boolean;
  /** Delete ECR repositories that still hold images (default false: they are kept and reported). */
  forceEcr?: boolean;
  /** How long to keep retrying deletions that something still blocks. Default 30 minutes. */
  timeoutMs?: number;
}

/** One resource to delete. */
export interface DestroyItem {
  /** The id the API deletes by: vpc-…, an ARN, a role name. */
  id: string;
  /** A readable name (Name tag, DNS name), when it differs from the id. */
  name?: string;
  /** Phase-specific facts gathered while finding it (attachments, associations, the VPC…). */
  facts?: Record<string, string | string[] | undefined>;
}

export interface KeptItem {
  phase: string;
  item: DestroyItem;
  reason: string;
}

export interface PhaseRun {
  ctx: DestroyContext;
  options: DestroyOptions;
  /** Epoch ms after which blocked deletions stop retrying. */
  deadline: number;
  /** Resources a phase chose to keep (non-empty ECR repositories). */
  keep(item: DestroyItem, reason: string): void;
}

export interface DestroyPhase {
  /** "load-balancers": also the step id suffix (destroy/load-balancers). */
  name: string;
  /** Singular resource type for reports: "load balancer". */
  type: string;
  /** Phases that must be finished first. */
  after: string[];
  /** Everything of this type the cluster owns: by tag sweep, plus ids from the state. Reads only. */
  discover(ctx: DestroyContext): Promise<DestroyItem[]>;
  /** Deletes the items (NotFound counts as deleted) and waits until they are gone. */
  remove(items: DestroyItem[], run: PhaseRun): Promise<void>;
}
