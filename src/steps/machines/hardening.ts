/**
 * What every kx machine gets regardless of role: IMDSv2 only (with the hop limit the
 * role needs: 2 where pods on the host need the instance's credentials, the control
 * plane; 1 elsewhere so containers cannot reach IMDS) and an encrypted gp3 root volume.
 */
import type { AwsClients } from "../../aws/clients.js";
import { ec2Api } from "../../aws/sdk.js";
import { awsCall } from "../../aws/errors.js";
import { KxError } from "../../engine/errors.js";

export function metadataOptions(hopLimit: 1 | 2) {
  return { HttpTokens: "required" as const, HttpEndpoint: "enabled" as const, HttpPutResponseHopLimit: hopLimit };
}

export function rootVolume(deviceName: string, sizeGiB: number) {
  return [
    {
      DeviceName: deviceName,
      Ebs: { VolumeSize: sizeGiB, VolumeType: "gp3" as const, Encrypted: true, DeleteOnTermination: true },
    },
  ];
}

/** The AMI's root device ("/dev/sda1" on Ubuntu); a mapping for another name would add a second disk instead. */
export async function rootDeviceName(aws: AwsClients, imageId: string): Promise<string> {
  const { client: ec2, sdk } = await ec2Api(aws);
  const result = await awsCall("DescribeImages", imageId, () => ec2.send(new sdk.DescribeImagesCommand({ ImageIds: [imageId] })));
  const image = result.Images?.[0];
  if (!image) {
    throw new KxError(`AMI ${imageId} does not exist in this region or is not shared with this account`, {
      source: "user",
      hint: "Check images.node / images.etcd in the config, or let kx build the images (images.build: true).",
    });
  }
  return image.RootDeviceName ?? "/dev/sda1";
}
