/** Step ids of the network area (the contract in the steps contract file), in one place. */
export const VPC_STEP = "network/vpc";
export const INTERNET_GATEWAY_STEP = "network/internet-gateway";
export const PUBLIC_ROUTE_TABLE_STEP = "network/route-table-public";

export type SubnetKind = "public" | "private";

export const subnetStepId = (kind: SubnetKind, zone: string) => `network/subnet-${kind}:${zone}`;
export const eipStepId = (zone: string) => `network/eip:${zone}`;
export const natGatewayStepId = (zone: string) => `network/nat-gateway:${zone}`;
export const privateRouteTableStepId = (zone: string) => `network/route-table-private:${zone}`;
