// @ts-check
import { service as ec2 } from "./ec2/index.js";
import { service as autoscaling } from "./autoscaling.js";
import { service as elbv2 } from "./elbv2.js";
import { service as iam } from "./iam.js";
import { service as sts } from "./sts.js";
import { service as ssm } from "./ssm.js";
import { service as route53 } from "./route53.js";
import { service as rds } from "./rds.js";
import { service as ecr } from "./ecr.js";

/** Every service the fake speaks. @type {import("../core/server.js").ServiceModule[]} */
export const services = [ec2, autoscaling, elbv2, iam, sts, ssm, route53, rds, ecr];
