/**
 * The fake moves resources along only when a request arrives (one step per request),
 * and an autoscaling group launches its instances on such a step. After kx exits, a
 * test asks a few reads of its own so the world it inspects has settled, as AWS would
 * have a moment later.
 */
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import type { FakeAws } from "../../harness/fake-aws/index.js";
import { ACCESS_KEY } from "./world.js";

export async function settle(fake: FakeAws, steps = 3): Promise<void> {
  const client = new AutoScalingClient({
    endpoint: fake.url,
    region: fake.region,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: "e2e-fake-secret" },
  });
  try {
    for (let i = 0; i < steps; i++) await client.send(new DescribeAutoScalingGroupsCommand({}));
  } finally {
    client.destroy();
  }
}
