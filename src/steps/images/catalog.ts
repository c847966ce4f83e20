/** The images kx builds, their step ids and the tags that find them again. */
export const IMAGE_NAMES = ["node", "etcd"] as const;
export type ImageName = (typeof IMAGE_NAMES)[number];

export function imageStepId(image: ImageName): string {
  return `images/${image}`;
}

export function isImageName(value: string): value is ImageName {
  return (IMAGE_NAMES as readonly string[]).includes(value);
}

/** sha256 of what went into the image (see content-hash.ts): the AMI is found again by it. */
export const TAG_CONTENT_HASH = "kx:content-hash";
/** node | etcd */
export const TAG_ROLE = "kx:role";
export const TAG_K8S_VERSION = "kx:k8s-version";
export const TAG_ETCD_VERSION = "kx:etcd-version";

export const IMAGE_TITLES: Record<ImageName, string> = {
  node: "Kubernetes node image (AMI)",
  etcd: "etcd image (AMI)",
};

/** Packer >= 1.14 is what the templates' required_version asks for. */
export const MIN_PACKER_VERSION = "1.14.0";
