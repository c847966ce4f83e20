/** The optional area: ECR repositories and an RDS PostgreSQL database, as the config asks. */
import type { ClusterConfig } from "../../config/schema.js";
import type { Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { ecrRepositoryStep } from "./ecr-repository.js";
import { rdsSecurityGroupStep, rdsSubnetGroupStep } from "./rds-network.js";
import { rdsInstanceStep } from "./rds-instance.js";

export { ecrStepId } from "./ecr-repository.js";
export { RDS_STEP, RDS_PASSWORD_SECRET } from "./rds-instance.js";

export function optionalSteps(config: ClusterConfig): Step<KxContext>[] {
  const steps = config.ecr.repositories.map((repository) => ecrRepositoryStep(repository));
  if (config.rds.enabled) steps.push(rdsSubnetGroupStep(config), rdsSecurityGroupStep(config), rdsInstanceStep(config));
  return steps;
}
