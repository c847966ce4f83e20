/**
 * What kx requires of its images, read from the templates as Packer evaluates them
 * (the stand-in's HCL reader with kx's -var values): IMDSv2 only, an encrypted gp3 root
 * volume, Canonical's Ubuntu 24.04 as the base, the tags kx finds the image by, and the
 * manifest post-processor kx reads the AMI id from.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { IMAGE_NAMES } from "../../src/steps/images/catalog.js";
import { imageFiles } from "../../src/steps/images/templates.js";
import { buildVariables } from "../../src/steps/images/variables.js";
import { awsTestConfig } from "../steps/context.js";
import { TEMPLATES } from "../images/fixtures.js";
import { assembleImage } from "./assemble.js";
import { readProject, resolveBuilds, resolveVariables } from "./standin/project.js";
import { parseHcl } from "./standin/hcl.js";

const HASH = "fedcba9876543210".repeat(4);

async function evaluated(image: (typeof IMAGE_NAMES)[number]) {
  const { dir, cleanup } = await assembleImage(image);
  try {
    const files = readProject(dir);
    const vars = Object.entries(buildVariables(awsTestConfig(), image, "eu-west-1", HASH));
    const [build] = resolveBuilds(dir, files, resolveVariables(files, vars));
    return build as { fullName: string; settings: Record<string, any>; provisioners: { type: string; fields: Record<string, any> }[]; postProcessors: { fields: Record<string, any> }[] };
  } finally {
    cleanup();
  }
}

describe.each(IMAGE_NAMES)("the %s image", (image) => {
  it("answers only IMDSv2, on the image and on the build instance", async () => {
    const { settings } = await evaluated(image);
    expect(settings.imds_support).toBe("v2.0");
    expect(settings.metadata_options).toEqual([{ http_endpoint: "enabled", http_tokens: "required", http_put_response_hop_limit: 2 }]);
  });

  it("has an encrypted gp3 root volume", async () => {
    const { settings } = await evaluated(image);
    expect(settings.launch_block_device_mappings).toEqual([
      expect.objectContaining({ device_name: "/dev/sda1", volume_type: "gp3", encrypted: true, delete_on_termination: true }),
    ]);
  });

  it("is tagged with its role and content hash, so kx finds it again", async () => {
    const { settings, fullName } = await evaluated(image);
    expect(fullName).toBe(`${image}.amazon-ebs.${image}`);
    expect(settings.tags).toMatchObject({ "kx:role": image, "kx:content-hash": HASH, "kx:managed-by": "kx" });
    expect(settings.snapshot_tags).toMatchObject({ "kx:role": image, "kx:content-hash": HASH });
    expect(settings.ami_name).toMatch(new RegExp(`^kx-${image}-.*-${HASH.slice(0, 12)}-\\d{14}$`));
  });

  it("writes the manifest kx reads the AMI id from, next to the templates", async () => {
    const { postProcessors } = await evaluated(image);
    expect(postProcessors).toHaveLength(1);
    expect(postProcessors[0]!.fields).toMatchObject({ strip_path: true, custom_data: { role: image, content_hash: HASH } });
    expect(String(postProcessors[0]!.fields.output)).toMatch(new RegExp(`/${image}/manifest\\.json$`));
  });

  it("runs the common base and cleanup around its own scripts, with sudo", async () => {
    const { provisioners } = await evaluated(image);
    const shell = provisioners.filter((p) => p.type === "shell" && p.fields.execute_command);
    expect(shell).toHaveLength(1);
    expect(shell[0]!.fields.execute_command).toBe("sudo -E bash '{{ .Path }}'");
    const inline = shell[0]!.fields.inline as string[];
    expect(inline[0]).toBe("bash /tmp/kx-build/scripts/common/base.sh");
    expect(inline.at(-1)).toBe("bash /tmp/kx-build/scripts/common/cleanup.sh");
    expect(inline.slice(1, -1).every((l) => l.startsWith(`bash /tmp/kx-build/scripts/${image}/`))).toBe(true);
  });

  it("keeps required_plugins and data sources out of every file but the two Packer >= 1.7-only ones", () => {
    for (const file of imageFiles(TEMPLATES, image).filter((f) => f.path.endsWith(".pkr.hcl"))) {
      const blocks = (parseHcl(file.content.toString("utf8"), file.path) as { blocks: { type: string }[] }).blocks.map((b) => b.type);
      if (file.path === "plugins.pkr.hcl") expect(blocks).toEqual(["packer"]);
      else if (file.path === "base-image.pkr.hcl") expect(blocks).toEqual(["data"]);
      else expect(blocks.filter((t) => t === "packer" || t === "data")).toEqual([]);
    }
  });
});

describe("the base image and versions", () => {
  it("is Canonical's Ubuntu 24.04 LTS, newest first", () => {
    const body = parseHcl(readFileSync(join(TEMPLATES, "common/base-image.pkr.hcl"), "utf8"), "base-image.pkr.hcl");
    expect(body.blocks[0].labels).toEqual(["amazon-ami", "ubuntu"]);
    const config = awsTestConfig();
    expect(config.images.baseImageOwner).toBe("099720109477");
    expect(config.images.baseImageFilter).toContain("ubuntu-noble-24.04");
    const vars = readFileSync(join(TEMPLATES, "common/shared-variables.pkr.hcl"), "utf8");
    expect(vars).toContain('default     = "099720109477"');
    expect(vars).toContain('default     = "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"');
  });

  it("pins Kubernetes from the config's version and etcd from the config's etcd version", () => {
    const config = awsTestConfig({ kubernetes: { version: "v1.35.2" }, etcd: { version: "3.6.4" } });
    expect(buildVariables(config, "node", "eu-west-1", HASH)).toMatchObject({ k8s_version: "1.35.2", region: "eu-west-1", kx_content_hash: HASH });
    expect(buildVariables(config, "etcd", "eu-west-1", HASH)).toMatchObject({ etcd_version: "3.6.4" });
    expect(buildVariables(config, "etcd", "eu-west-1", HASH)).not.toHaveProperty("k8s_version");
  });
});
