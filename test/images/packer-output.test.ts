import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { amiFromManifest } from "../../src/steps/images/manifest.js";
import { amiForRegion, artifactId, parseMachineReadable, Tail, uiText } from "../../src/steps/images/packer-output.js";

describe("Packer's machine-readable lines", () => {
  it("unescapes commas and newlines in ui lines", () => {
    const line = parseMachineReadable("1795774330,,ui,say,==> node.amazon-ebs.node: No volumes to clean up%!(PACKER_COMMA) skipping\\nnext")!;
    expect(line).toMatchObject({ timestamp: "1795774330", target: "", type: "ui" });
    expect(uiText(line)).toEqual(["==> node.amazon-ebs.node: No volumes to clean up, skipping", "next"]);
  });

  it("reads the artifact id, a multi-region one included", () => {
    const line = parseMachineReadable("1795774330,node.amazon-ebs.node,artifact,0,id,eu-west-1:ami-0aa%!(PACKER_COMMA)us-east-1:ami-0bb")!;
    expect(artifactId(line)).toBe("eu-west-1:ami-0aa,us-east-1:ami-0bb");
    expect(amiForRegion("eu-west-1:ami-0aa,us-east-1:ami-0bb", "us-east-1")).toBe("ami-0bb");
    expect(amiForRegion("eu-west-1:ami-0aa", "eu-west-1")).toBe("ami-0aa");
    expect(amiForRegion("eu-west-1:ami-0aa,us-east-1:ami-0bb", "ap-south-1")).toBeUndefined();
    expect(artifactId(parseMachineReadable("1795774330,node.amazon-ebs.node,artifact,0,builder-id,mitchellh.amazonebs")!)).toBeUndefined();
  });

  it("leaves lines that are not machine-readable to the caller", () => {
    expect(parseMachineReadable("panic: runtime error")).toBeUndefined();
    expect(uiText(parseMachineReadable("1795774330,node.amazon-ebs.node,artifact-count,1")!)).toEqual([]);
  });

  it("keeps only the last lines", () => {
    const tail = new Tail(3);
    for (let i = 1; i <= 5; i++) tail.push(`line ${i}`);
    expect(tail.lines()).toEqual(["line 3", "line 4", "line 5"]);
  });
});

describe("the manifest", () => {
  const dir = mkdtempSync(join(tmpdir(), "kx-manifest-"));
  const path = join(dir, "manifest.json");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("gives the AMI of the last run's build in the region", async () => {
    writeFileSync(
      path,
      JSON.stringify({
        builds: [
          { name: "node", artifact_id: "eu-west-1:ami-0ddd0", packer_run_uuid: "run-1" },
          { name: "node", artifact_id: "eu-west-1:ami-0eee1,us-east-1:ami-0ccc2", packer_run_uuid: "run-2" },
        ],
        last_run_uuid: "run-2",
      }),
    );
    expect(await amiFromManifest(path, "eu-west-1")).toBe("ami-0eee1");
  });

  it("is undefined when Packer wrote none", async () => {
    expect(await amiFromManifest(join(dir, "absent.json"), "eu-west-1")).toBeUndefined();
  });
});
