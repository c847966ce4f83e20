/**
 * The network of an AWS cluster: VPC, a public and a private subnet per zone, internet
 * gateway, an Elastic IP and NAT gateway per zone, one public route table and one
 * private route table per zone.
 */
import type { ClusterConfig } from "../../config/schema.js";
import type { Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { elasticIpStep } from "./elastic-ip.js";
import { internetGatewayStep } from "./internet-gateway.js";
import { natGatewayStep } from "./nat-gateway.js";
import { privateRouteTableStep, publicRouteTableStep } from "./route-table.js";
import { subnetStep } from "./subnet.js";
import { vpcStep } from "./vpc.js";

export * from "./ids.js";

export function networkSteps(config: ClusterConfig): Step<KxContext>[] {
  const zones = config.zones;
  return [
    vpcStep(),
    ...zones.map((zone, i) => subnetStep("public", i, zone)),
    ...zones.map((zone, i) => subnetStep("private", i, zone)),
    internetGatewayStep(),
    ...zones.map((zone) => elasticIpStep(zone)),
    ...zones.map((zone) => natGatewayStep(zone)),
    publicRouteTableStep(zones),
    ...zones.map((zone) => privateRouteTableStep(zone)),
  ];
}
