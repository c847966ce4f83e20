/**
 * The -var values of an image's build. Those that change what is in the image are part
 * of its content hash; the region and the build instance's type are not (an image is
 * looked up in its own region anyway, and the build machine leaves no trace in it).
 */
import type { ClusterConfig } from "../../config/schema.js";
import type { ImageName } from "./catalog.js";

export type PackerVariables = Record<string, string>;

const plainVersion = (v: string) => v.replace(/^v/, "");

/** What goes into the image besides its files: versions and the base image. */
export function contentVariables(config: ClusterConfig, image: ImageName): PackerVariables {
  const base = { base_image_filter: config.images.baseImageFilter, base_image_owner: config.images.baseImageOwner };
  return image === "node"
    ? { ...base, k8s_version: plainVersion(config.kubernetes.version) }
    : { ...base, etcd_version: plainVersion(config.etcd.version) };
}

/** Every -var kx passes to `packer build`. */
export function buildVariables(config: ClusterConfig, image: ImageName, region: string, contentHash: string): PackerVariables {
  return {
    ...contentVariables(config, image),
    region,
    instance_type: config.images.buildInstanceType,
    kx_content_hash: contentHash,
  };
}
