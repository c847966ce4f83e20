/**
 * A service's client together with its SDK module, loaded on first use. Steps build
 * commands from `sdk` (`new sdk.CreateVpcCommand(...)`) so importing a step module
 * loads no AWS code; Node caches the module after the first import.
 */
import type { AwsClients } from "./clients.js";

export async function ec2Api(aws: AwsClients) {
  return { client: await aws.ec2(), sdk: await import("@aws-sdk/client-ec2") };
}
export async function iamApi(aws: AwsClients) {
  return { client: await aws.iam(), sdk: await import("@aws-sdk/client-iam") };
}
export async function ssmApi(aws: AwsClients) {
  return { client: await aws.ssm(), sdk: await import("@aws-sdk/client-ssm") };
}
export async function elbv2Api(aws: AwsClients) {
  return { client: await aws.elbv2(), sdk: await import("@aws-sdk/client-elastic-load-balancing-v2") };
}
export async function autoscalingApi(aws: AwsClients) {
  return { client: await aws.autoscaling(), sdk: await import("@aws-sdk/client-auto-scaling") };
}
export async function route53Api(aws: AwsClients) {
  return { client: await aws.route53(), sdk: await import("@aws-sdk/client-route-53") };
}
export async function rdsApi(aws: AwsClients) {
  return { client: await aws.rds(), sdk: await import("@aws-sdk/client-rds") };
}
export async function ecrApi(aws: AwsClients) {
  return { client: await aws.ecr(), sdk: await import("@aws-sdk/client-ecr") };
}
