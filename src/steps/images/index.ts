/** The images area: the node and etcd AMIs, built with Packer and reused by content hash. */
import type { ClusterConfig } from "../../config/schema.js";
import type { Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { IMAGE_NAMES, type ImageName } from "./catalog.js";
import { imageStep, type ImageStepOptions } from "./image-step.js";

export function imageSteps(config: ClusterConfig, options: ImageStepOptions & { only?: readonly ImageName[] } = {}): Step<KxContext>[] {
  const wanted = options.only ?? IMAGE_NAMES;
  return IMAGE_NAMES.filter((image) => wanted.includes(image)).map((image) => imageStep(image, config, options));
}

export { IMAGE_NAMES, imageStepId, isImageName, type ImageName } from "./catalog.js";
export type { ImageStepOptions } from "./image-step.js";
export { currentContentHash } from "./current.js";
export { listKxImages, type KxImage } from "./find-image.js";
