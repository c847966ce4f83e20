/**
 * One image built with Packer: its directory assembled in a scratch folder, `packer
 * init`, `packer build` with the image's variables, and the AMI id read from the
 * manifest (or, failing that, from the machine-readable artifact line).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KxError } from "../../engine/errors.js";
import type { ImageName } from "./catalog.js";
import { amiFromManifest } from "./manifest.js";
import { checkPackerVersion, packerBuild, packerInit, resolvePackerBinary } from "./packer-cli.js";
import { amiForRegion } from "./packer-output.js";
import { stageFiles, type TemplateFile } from "./templates.js";
import type { PackerVariables } from "./variables.js";

export interface BuildRequest {
  image: ImageName;
  files: readonly TemplateFile[];
  variables: PackerVariables;
  region: string;
  /** AWS profile for Packer's own AWS calls. */
  profile?: string;
  /** The environment Packer runs in; KX_PACKER and PATH are read from it. */
  env: NodeJS.ProcessEnv;
  /** Where the image directory is assembled. */
  workDir?: string;
  signal?: AbortSignal;
  onLine?: (line: string) => void;
}

export async function buildImage(request: BuildRequest): Promise<string> {
  const binary = resolvePackerBinary(request.env);
  const env = packerEnvironment(request);
  await checkPackerVersion(binary, env, request.signal);

  const scratch = await mkdtemp(join(request.workDir ?? tmpdir(), `kx-image-${request.image}-`));
  try {
    const dir = join(scratch, request.image);
    await stageFiles(request.files, dir);
    const run = { binary, env, cwd: dir, signal: request.signal, onLine: request.onLine };
    await serialised(() => packerInit(dir, run));
    const { artifactIds } = await packerBuild(dir, request.variables, run);
    const fromOutput = artifactIds.length ? amiForRegion(artifactIds.at(-1)!, request.region) : undefined;
    const amiId = (await amiFromManifest(join(dir, "manifest.json"), request.region)) ?? fromOutput;
    if (!amiId) {
      throw new KxError(`packer build of the ${request.image} image finished but named no AMI in ${request.region}`, {
        hint: "Check the manifest post-processor in packer/ and Packer's output above.",
      });
    }
    return amiId;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

// The node and etcd builds run side by side; their `packer init`s would both install
// the same plugin into the same directory, so they take turns.
let initQueue: Promise<unknown> = Promise.resolve();
function serialised<T>(fn: () => Promise<T>): Promise<T> {
  const next = initQueue.then(fn, fn);
  initQueue = next.catch(() => undefined);
  return next;
}

/** kx's environment plus the AWS region and profile it uses, so Packer acts on the same account. */
function packerEnvironment(request: BuildRequest): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.env)) if (v !== undefined) env[k] = v;
  env.AWS_REGION = request.region;
  env.AWS_DEFAULT_REGION = request.region;
  if (request.profile) env.AWS_PROFILE = request.profile;
  env.CHECKPOINT_DISABLE = "1";
  env.PACKER_NO_COLOR = "1";
  return env;
}
