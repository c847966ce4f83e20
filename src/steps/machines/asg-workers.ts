/**
 * The workers of an AWS cluster, as the autoscaling group has launched them: running
 * instances tagged with the group's name, named by their private DNS host part (what
 * `kubectl get nodes` shows first), host keys read from their consoles like every
 * machine's. Only what needs SSH on workers (upgrades) asks for them.
 */
import type { Instance } from "@aws-sdk/client-ec2";
import type { AwsClients } from "../../aws/clients.js";
import { awsCall } from "../../aws/errors.js";
import { collectPages } from "../../aws/find.js";
import { ec2Api } from "../../aws/sdk.js";
import type { ClusterConfig } from "../../config/schema.js";
import type { SshTarget } from "../../ssh/types.js";
import type { NodeHost } from "../inventory.js";
import { preferredHostKey } from "./console-host-keys.js";
import { readHostKeys } from "./ec2-instance.js";
import { autoScalingGroupName } from "./worker-asg.js";

export async function autoscaledWorkers(aws: AwsClients, signal: AbortSignal, config: ClusterConfig, via?: SshTarget): Promise<NodeHost[]> {
  const { client: ec2, sdk } = await ec2Api(aws);
  const group = autoScalingGroupName(config.name);
  const instances = await collectPages(
    (NextToken) =>
      awsCall("DescribeInstances", group, () =>
        ec2.send(
          new sdk.DescribeInstancesCommand({
            Filters: [
              { Name: "tag:aws:autoscaling:groupName", Values: [group] },
              { Name: "instance-state-name", Values: ["running"] },
            ],
            NextToken,
          }),
        ),
      ),
    (page) => (page.Reservations ?? []).flatMap((r) => r.Instances ?? []),
    (page) => page.NextToken,
  );
  const byZoneThenName = (a: Instance, b: Instance) =>
    `${a.Placement?.AvailabilityZone}/${a.PrivateDnsName}`.localeCompare(`${b.Placement?.AvailabilityZone}/${b.PrivateDnsName}`);
  return Promise.all(
    instances.sort(byZoneThenName).map(async (instance) => {
      const nodeName = instance.PrivateDnsName ?? instance.InstanceId!;
      const name = nodeName.split(".")[0]!;
      const hostKey = preferredHostKey(await readHostKeys({ aws, signal }, instance.InstanceId!, name));
      return {
        name,
        role: "worker" as const,
        privateIp: instance.PrivateIpAddress!,
        nodeName,
        zone: instance.Placement?.AvailabilityZone,
        instanceId: instance.InstanceId,
        ssh: {
          name,
          address: instance.PrivateIpAddress!,
          port: 22,
          user: config.ssh.user,
          privateKeyFile: config.ssh.privateKeyFile,
          ...(hostKey ? { hostKey } : {}),
          ...(via ? { via } : {}),
        },
      };
    }),
  );
}
