/** Finding kx's AMIs in the account by their tags (DescribeImages, owner self). */
import type { Image } from "@aws-sdk/client-ec2";
import type { AwsClients } from "../../aws/clients.js";
import { awsCall } from "../../aws/errors.js";
import { collectPages } from "../../aws/find.js";
import { ec2Api } from "../../aws/sdk.js";
import { tagValue } from "../../aws/tags.js";
import { TAG_CONTENT_HASH, TAG_ETCD_VERSION, TAG_K8S_VERSION, TAG_ROLE, type ImageName } from "./catalog.js";

export interface KxImage {
  imageId: string;
  name: string;
  role: string;
  contentHash: string;
  /** Kubernetes version of a node image, etcd version of an etcd image. */
  version: string;
  state: string;
  created: string;
}

/** The newest available AMI of `image` with this content hash, or undefined. */
export async function findImageByHash(aws: AwsClients, image: ImageName, hash: string): Promise<KxImage | undefined> {
  const found = await describeKxImages(aws, [
    { Name: `tag:${TAG_CONTENT_HASH}`, Values: [hash] },
    { Name: `tag:${TAG_ROLE}`, Values: [image] },
    { Name: "state", Values: ["available"] },
  ]);
  // Two builds of the same content (a lost race, a build retried by hand) are the same
  // image; take the newest.
  return found.sort((a, b) => b.created.localeCompare(a.created))[0];
}

/** Every kx AMI the account owns in the client's region, newest first. */
export async function listKxImages(aws: AwsClients): Promise<KxImage[]> {
  const found = await describeKxImages(aws, [{ Name: "tag-key", Values: [TAG_CONTENT_HASH] }]);
  return found.sort((a, b) => b.created.localeCompare(a.created));
}

async function describeKxImages(aws: AwsClients, filters: { Name: string; Values: string[] }[]): Promise<KxImage[]> {
  const { client, sdk } = await ec2Api(aws);
  const images = await collectPages(
    (token) =>
      awsCall("ec2:DescribeImages", "kx images", () =>
        client.send(new sdk.DescribeImagesCommand({ Owners: ["self"], Filters: filters, NextToken: token, MaxResults: 1000 })),
      ),
    (page) => page.Images,
    (page) => page.NextToken,
  );
  return images.filter((i) => i.ImageId).map(toKxImage);
}

function toKxImage(image: Image): KxImage {
  const role = tagValue(image.Tags, TAG_ROLE) ?? "";
  return {
    imageId: image.ImageId!,
    name: image.Name ?? "",
    role,
    contentHash: tagValue(image.Tags, TAG_CONTENT_HASH) ?? "",
    version: tagValue(image.Tags, role === "etcd" ? TAG_ETCD_VERSION : TAG_K8S_VERSION) ?? "",
    state: image.State ?? "",
    created: image.CreationDate ?? "",
  };
}
