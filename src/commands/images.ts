/**
 * `kx images build` builds the node and etcd AMIs ahead of time (or in a CI job of its
 * own), through the same steps `kx create cluster` runs, so the create that follows
 * finds them done. `kx images list` shows the kx AMIs in the account and whether each
 * matches what the current templates and config would build.
 */
import type { GlobalOptions } from "../cli.js";
import { deriveConfig } from "../config/derive.js";
import { clusterSchemaShape, type ClusterConfig } from "../config/schema.js";
import { UsageError } from "../engine/errors.js";
import type { Io } from "../ui/io.js";
import { currentContentHash, IMAGE_NAMES, imageSteps, imageStepId, isImageName, listKxImages, type ImageName, type KxImage } from "../steps/images/index.js";
import { ioFor, loadSelectedConfig, splitList } from "./support/common.js";
import { runWorkflow } from "./support/run-workflow.js";

export interface ImagesBuildOptions {
  /** The cluster config whose versions go into the images (-f). */
  file?: string;
  /** Or the cluster whose saved config to use (--cluster). */
  cluster?: string;
  /** --only node|etcd (repeatable or comma-separated). */
  only?: string | string[];
  /** --force: build even when an AMI with the same content hash exists. */
  force?: boolean;
}

export async function runBuild(options: ImagesBuildOptions, globals: Partial<GlobalOptions>, io: Io = ioFor(globals)): Promise<number> {
  const only = selectedImages(options.only);
  const { config } = await loadSelectedConfig(options, globals, io);
  for (const image of only) {
    if (config.images[image]) io.warn(`images.${image} is set to ${config.images[image]} in the config: that AMI is used, nothing is built for it`);
  }
  await runWorkflow({
    command: "images build",
    config,
    steps: () => imageSteps(config, { only, force: options.force === true }),
    io,
    globals,
    afterRun: async (result) =>
      only.map((image): [string, string] => {
        const outputs = result.steps.find((s) => s.id === imageStepId(image))?.outputs;
        return [`${image} image`, String(outputs?.amiId ?? "-")];
      }),
  });
  return 0;
}

export interface ImagesListOptions {
  file?: string;
  cluster?: string;
}

export async function runList(options: ImagesListOptions, globals: Partial<GlobalOptions>, io: Io = ioFor(globals)): Promise<number> {
  const fromCluster = Boolean(options.file || options.cluster);
  const config = fromCluster ? (await loadSelectedConfig(options, globals, io)).config : defaultConfig();
  const current: Record<ImageName, string> = { node: currentContentHash(config, "node"), etcd: currentContentHash(config, "etcd") };

  const { createAwsClients } = await import("../aws/factory.js");
  const aws = await createAwsClients({ region: globals.region ?? config.region, profile: globals.profile, live: true });
  const images = await listKxImages(aws);
  const rows = images.map((image) => ({ ...image, current: isImageName(image.role) && current[image.role] === image.contentHash }));

  if (io.mode === "json") {
    io.json({ type: "images", region: aws.region, currentContentHash: current, images: rows });
    return 0;
  }
  const basis = fromCluster ? `the config of ${config.name}` : "kx's default versions (give -f FILE to compare with a cluster's)";
  if (rows.length === 0) {
    io.result(`No kx images in ${aws.region}. \`kx images build -f FILE\` builds them.`);
    return 0;
  }
  io.result(`${renderTable(rows)}\nCURRENT: built from the templates of this kx and ${basis}.`);
  return 0;
}

function selectedImages(only: string | string[] | undefined): ImageName[] {
  const names = splitList(only) ?? [...IMAGE_NAMES];
  for (const name of names) {
    if (!isImageName(name)) throw new UsageError(`--only ${name}: there is no such image`, `Choose from: ${IMAGE_NAMES.join(", ")}.`);
  }
  return IMAGE_NAMES.filter((image) => names.includes(image));
}

/** The versions kx uses when no cluster config is given. */
function defaultConfig(): ClusterConfig {
  // Only the defaults are wanted here, so the shape without the cross-field rules of a real cluster.
  return deriveConfig(clusterSchemaShape.parse({ apiVersion: "kx.dev/v1alpha1", kind: "Cluster", name: "images" }));
}

function renderTable(rows: (KxImage & { current: boolean })[]): string {
  const header = ["IMAGE ID", "ROLE", "VERSION", "CONTENT HASH", "CREATED", "STATE", "CURRENT"];
  const cells = rows.map((r) => [r.imageId, r.role, r.version, r.contentHash.slice(0, 12), r.created, r.state, r.current ? "yes" : "no"]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(header), ...cells.map(line)].join("\n");
}
