/**
 * The step of one image. Content-addressed: a configured AMI id is used as is; else an
 * AMI in the account tagged with the image's content hash is reused; else Packer builds
 * one (tagged with the hash by the templates).
 */
import { randomUUID } from "node:crypto";
import type { ClusterConfig } from "../../config/schema.js";
import { KxError } from "../../engine/errors.js";
import type { Change, Outputs, Step } from "../../engine/types.js";
import type { KxContext } from "../context.js";
import { buildImage } from "./build-image.js";
import { IMAGE_TITLES, imageStepId, type ImageName } from "./catalog.js";
import { imageContent } from "./current.js";
import { findImageByHash } from "./find-image.js";
import { defaultTemplatesDir } from "./templates.js";
import { buildVariables, contentVariables } from "./variables.js";

export interface ImageStepOptions {
  /** The packer/ directory (default: the one shipped with kx). */
  templatesDir?: string;
  /** Build even when an AMI with the same content hash exists (`kx images build --force`). */
  force?: boolean;
  /** Environment Packer runs in (default process.env); KX_PACKER and PATH are read from it. */
  env?: NodeJS.ProcessEnv;
  /** Where image directories are assembled for Packer (default: the OS temp directory). */
  workDir?: string;
}

export function imageStep(image: ImageName, config: ClusterConfig, options: ImageStepOptions = {}): Step<KxContext> {
  const id = imageStepId(image);
  const configured = config.images[image];
  const templatesDir = options.templatesDir ?? defaultTemplatesDir();
  // A forced build must run even when a finished run recorded the same inputs: a token
  // of this run makes them differ.
  const forceToken = options.force ? randomUUID() : undefined;

  // Read on every call: a template edited between two runs must change the hash.
  const content = () => imageContent(config, image, templatesDir);
  const versionNote = () =>
    image === "node" ? `kubernetes ${contentVariables(config, image).k8s_version}` : `etcd ${contentVariables(config, image).etcd_version}`;
  const buildChange = (hash: string): Change => ({
    action: "create",
    target: `ami ${image}`,
    detail: `packer build (${versionNote()}, content hash ${hash.slice(0, 12)})`,
  });

  return {
    id,
    title: IMAGE_TITLES[image],
    needs: [],
    inputs: () => (configured ? { amiId: configured } : { contentHash: content().hash, ...(forceToken ? { forceToken } : {}) }),

    async plan(ctx) {
      if (configured) return [];
      const { hash } = content();
      if (!ctx.aws.live || options.force) return [buildChange(hash)];
      if (await findImageByHash(ctx.aws, image, hash)) return [];
      return [buildChange(hash)];
    },

    async apply(ctx, changes): Promise<Outputs> {
      if (configured) return { amiId: configured };
      const { files, hash } = content();
      // Another run (or a run that crashed after Packer finished) may have built it.
      const existing = options.force ? undefined : await findImageByHash(ctx.aws, image, hash);
      if (existing) {
        ctx.log.info(`reusing ${existing.imageId} (${existing.name}): same content hash ${hash.slice(0, 12)}`);
        return { amiId: existing.imageId };
      }
      if (changes.length === 0) throw missingImage(image, hash);

      ctx.log.info(`building the ${image} image with Packer (content hash ${hash.slice(0, 12)}); this takes 5–15 minutes`);
      const amiId = await buildImage({
        image,
        files,
        variables: buildVariables(config, image, ctx.aws.region, hash),
        region: ctx.aws.region,
        profile: ctx.aws.profile,
        env: options.env ?? process.env,
        workDir: options.workDir,
        signal: ctx.signal,
        onLine: (line) => ctx.log.progress("packer", line),
      });
      ctx.log.info(`built ${amiId}`);
      return { amiId };
    },
  };
}

/** The plan found the image, but it is gone now (deregistered in between). */
function missingImage(image: ImageName, hash: string): KxError {
  return new KxError(`no ${image} AMI with content hash ${hash.slice(0, 12)}… is in the account any more`, {
    source: "user",
    hint: `Run the same command again: kx plans a build when the image is missing (or \`kx images build --only ${image}\`).`,
  });
}
