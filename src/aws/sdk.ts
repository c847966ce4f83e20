/**
 * A service's client together with its SDK module, loaded on first use. Steps build
 * commands from `sdk` (`new sdk.CreateVpcCommand(...)`) so importing a step module
 * loads no AWS code; Node caches the module after the first import.
 */
import type { AwsClients } from "./clients.js";
import { sdkModules } from "./sdk-modules.js";

export async function ec2Api(aws: AwsClients) {
  return { client: await aws.ec2(), sdk: sdkModules.ec2() };
}
export async function iamApi(aws: AwsClients) {
  return { client: await aws.iam(), sdk: sdkModules.iam() };
}
export async function ssmApi(aws: AwsClients) {
  return { client: await aws.ssm(), sdk: sdkModules.ssm() };
}
export async function elbv2Api(aws: AwsClients) {
  return { client: await aws.elbv2(), sdk: sdkModules.elbv2() };
}
export async function autoscalingApi(aws: AwsClients) {
  return { client: await aws.autoscaling(), sdk: sdkModules.autoscaling() };
}
export async function route53Api(aws: AwsClients) {
  return { client: await aws.route53(), sdk: sdkModules.route53() };
}
export async function rdsApi(aws: AwsClients) {
  return { client: await aws.rds(), sdk: sdkModules.rds() };
}
export async function ecrApi(aws: AwsClients) {
  return { client: await aws.ecr(), sdk: sdkModules.ecr() };
}
