/**
 * What Kubernetes' cloud controller makes for a Service of type LoadBalancer: a
 * security group (k8s-elb-…) and a network load balancer in the cluster's VPC, tagged
 * kubernetes.io/cluster/<name>=owned but not kx:cluster. kx never made them, yet a
 * destroy must remove them first or the VPC cannot go.
 */
import { CreateSecurityGroupCommand, EC2Client } from "@aws-sdk/client-ec2";
import { CreateLoadBalancerCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { FakeAws } from "../../harness/fake-aws/index.js";
import { ACCESS_KEY, CLUSTER } from "./world.js";

export async function addServiceLoadBalancer(fake: FakeAws, vpcId: string, subnetIds: string[]): Promise<{ groupId: string; loadBalancerArn: string }> {
  const config = { endpoint: fake.url, region: fake.region, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: "e2e-fake-secret" } };
  const owned = [
    { Key: `kubernetes.io/cluster/${CLUSTER}`, Value: "owned" },
    { Key: "kubernetes.io/service-name", Value: "istio-system/istio-ingressgateway" },
  ];
  const ec2 = new EC2Client(config);
  const elb = new ElasticLoadBalancingV2Client(config);
  try {
    const sg = await ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: "k8s-elb-a1b2c3d4e5f6",
        Description: "Security group for Kubernetes ELB a1b2c3d4e5f6 (istio-system/istio-ingressgateway)",
        VpcId: vpcId,
        TagSpecifications: [{ ResourceType: "security-group", Tags: owned }],
      }),
    );
    const lb = await elb.send(
      new CreateLoadBalancerCommand({ Name: "a1b2c3d4e5f6", Type: "network", Scheme: "internet-facing", Subnets: subnetIds, SecurityGroups: [sg.GroupId!], Tags: owned }),
    );
    return { groupId: sg.GroupId!, loadBalancerArn: lb.LoadBalancers![0]!.LoadBalancerArn! };
  } finally {
    ec2.destroy();
    elb.destroy();
  }
}
