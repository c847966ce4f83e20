/**
 * The worker user data: shellcheck-clean as rendered, and run for real with bash against
 * stand-ins of curl (IMDSv2), the AWS CLI (SSM) and kubeadm, whose JoinConfiguration is
 * checked against the strict kubeadm v1beta4 schema.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv from "ajv";
import { parse } from "yaml";
import { afterEach, describe, expect, it } from "vitest";
import { renderUserData } from "../../../src/steps/machines/user-data.js";

const TOKEN = "abcdef.0123456789abcdef";
const CA_HASH = `sha256:${"ab".repeat(32)}`;
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function shellcheck(script: string): { status: number | null; output: string } {
  const r = spawnSync("/usr/bin/shellcheck", ["-s", "bash", "-"], { input: script, encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** A scratch world: bin/ with the stand-ins, ssm/ with the parameters, kube/ as /etc/kubernetes. */
function world(params: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), "kx-userdata-"));
  dirs.push(root);
  execFileSync("mkdir", ["-p", `${root}/bin`, `${root}/ssm`, `${root}/kube`, `${root}/out`]);
  for (const [name, value] of Object.entries(params)) writeFileSync(`${root}/ssm/${name}`, value);
  const tool = (name: string, body: string) => {
    writeFileSync(`${root}/bin/${name}`, `#!/bin/bash\nset -euo pipefail\n${body}\n`);
    chmodSync(`${root}/bin/${name}`, 0o755);
  };
  // IMDSv2: PUT for a token, GETs must carry it.
  tool(
    "curl",
    `args="$*"
if [[ "$args" == *"-X PUT"*"/latest/api/token"* ]]; then echo -n imds-token; exit 0; fi
[[ "$args" == *"X-aws-ec2-metadata-token: imds-token"* ]] || { echo "IMDSv1 request refused" >&2; exit 22; }
case "$args" in
  *meta-data/local-hostname) echo -n ip-10-0-64-21.eu-west-1.compute.internal ;;
  *meta-data/local-ipv4) echo -n 10.0.64.21 ;;
  *) exit 22 ;;
esac`,
  );
  tool(
    "aws",
    `echo "$*" >> "${root}/out/aws-calls"
[[ "$*" == *"--with-decryption"* && "$*" == *"--region eu-west-1"* ]] || exit 2
name=""; while [ $# -gt 0 ]; do if [ "$1" = --name ]; then name="$2"; fi; shift; done
file="${root}/ssm/\${name##*/join/}"
[[ "$name" == /kx/lab/join/* && -f "$file" ]] || { echo "ParameterNotFound" >&2; exit 254; }
cat "$file"`,
  );
  tool(
    "kubeadm",
    `if [ "$1" = reset ]; then echo reset >> "${root}/out/resets"; exit 0; fi
[ "$1" = join ] && [ "$2" = --config ] || exit 3
if [ -f "${root}/out/fail-joins" ] && [ "$(cat "${root}/out/fail-joins")" -gt 0 ]; then
  echo $(( $(cat "${root}/out/fail-joins") - 1 )) > "${root}/out/fail-joins"
  echo "error execution phase preflight: couldn't validate the identity of the API Server" >&2; exit 1
fi
cp "$3" "${root}/out/join.yaml"
stat -c %a "$3" > "${root}/out/join.mode"
touch "${root}/kube/kubelet.conf"`,
  );
  return root;
}

function runScript(root: string, env: Record<string, string> = {}) {
  const script = renderUserData("worker.sh", { cluster: "lab", region: "eu-west-1" });
  writeFileSync(`${root}/user-data.sh`, script);
  return spawnSync("bash", [`${root}/user-data.sh`], {
    encoding: "utf8",
    env: { PATH: `${root}/bin:/usr/bin:/bin`, KX_KUBE_DIR: `${root}/kube`, KX_JOIN_RETRY_SECONDS: "0", ...env },
  });
}

function validateJoin(doc: unknown): string[] {
  const schema = JSON.parse(readFileSync(new URL("../../harness/schemas/kubeadm-v1beta4.schema.json", import.meta.url), "utf8"));
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

describe("worker user data", () => {
  it("passes shellcheck as rendered, and so does the etcd/control-plane one", () => {
    for (const template of ["worker.sh", "node.sh"] as const) {
      const result = shellcheck(renderUserData(template, { cluster: "lab", region: "eu-west-1" }));
      expect(result.output).toBe("");
      expect(result.status).toBe(0);
    }
  });

  it("refuses values that are not shell-safe and placeholders left without a value", () => {
    expect(() => renderUserData("worker.sh", { cluster: "lab'; rm -rf /", region: "eu-west-1" })).toThrow(/not shell-safe/);
    expect(() => renderUserData("worker.sh", { cluster: "lab" })).toThrow(/\{\{region\}\}/);
  });

  it("joins with a strict v1beta4 JoinConfiguration read from SSM, node name from IMDS, written 0600 and removed", () => {
    const root = world({ endpoint: "api.lab.example.com", "ca-hash": CA_HASH, token: TOKEN });
    const result = runScript(root);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain(TOKEN);

    const doc = parse(readFileSync(`${root}/out/join.yaml`, "utf8"));
    expect(validateJoin(doc)).toEqual([]);
    expect(doc).toEqual({
      apiVersion: "kubeadm.k8s.io/v1beta4",
      kind: "JoinConfiguration",
      discovery: { bootstrapToken: { apiServerEndpoint: "api.lab.example.com:6443", token: TOKEN, caCertHashes: [CA_HASH] } },
      nodeRegistration: {
        name: "ip-10-0-64-21.eu-west-1.compute.internal",
        criSocket: "unix:///run/containerd/containerd.sock",
        kubeletExtraArgs: [
          { name: "cloud-provider", value: "external" },
          { name: "node-ip", value: "10.0.64.21" },
        ],
      },
    });
    expect(readFileSync(`${root}/out/join.mode`, "utf8").trim()).toBe("600");
    expect(existsSync(`${root}/kube/kx-join.yaml`)).toBe(false);
  });

  it("does nothing on a node that has joined (kubelet.conf exists)", () => {
    const root = world({ endpoint: "api.lab.example.com:6443", "ca-hash": CA_HASH, token: TOKEN });
    writeFileSync(`${root}/kube/kubelet.conf`, "joined");
    const result = runScript(root);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("joined already");
    expect(existsSync(`${root}/out/aws-calls`)).toBe(false);
    expect(existsSync(`${root}/out/join.yaml`)).toBe(false);
  });

  it("waits until the control plane has published the join parameters", () => {
    const root = world({ endpoint: "api.lab.example.com:6443", "ca-hash": CA_HASH });
    // The token appears during the third look (after two waits), as if kubeadm init finished meanwhile.
    const aws = readFileSync(`${root}/bin/aws`, "utf8").replace(
      'cat "$file"',
      `cat "$file"\nif [ "\${name##*/}" = ca-hash ]; then n=$(cat "${root}/out/looks" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" > "${root}/out/looks"; [ "$n" -lt 3 ] || printf %s "${TOKEN}" > "${root}/ssm/token"; fi`,
    );
    writeFileSync(`${root}/bin/aws`, aws);
    const result = runScript(root, { KX_JOIN_WAIT_SECONDS: "3600" });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout.match(/waiting for the control plane/g)).toHaveLength(2);
    expect(parse(readFileSync(`${root}/out/join.yaml`, "utf8")).discovery.bootstrapToken.token).toBe(TOKEN);
  });

  it("gives up with a clear message when the join parameters never come", () => {
    const root = world({ endpoint: "api.lab.example.com:6443" });
    const result = runScript(root, { KX_JOIN_WAIT_SECONDS: "0" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("the join parameters /kx/lab/join/* did not appear in SSM within 0s");
    expect(existsSync(`${root}/out/join.yaml`)).toBe(false);
  });

  it("resets and retries a failed join, and gives up at the deadline when it keeps failing", () => {
    const root = world({ endpoint: "api.lab.example.com:6443", "ca-hash": CA_HASH, token: TOKEN });
    writeFileSync(`${root}/out/fail-joins`, "1");
    const once = runScript(root, { KX_JOIN_WAIT_SECONDS: "3600" });
    expect(once.status).toBe(0);
    expect(once.stdout).toContain("kubeadm join failed; retrying");
    expect(readFileSync(`${root}/out/resets`, "utf8").trim().split("\n")).toHaveLength(1);
    expect(existsSync(`${root}/kube/kubelet.conf`)).toBe(true);

    const stuck = world({ endpoint: "api.lab.example.com:6443", "ca-hash": CA_HASH, token: TOKEN });
    writeFileSync(`${stuck}/out/fail-joins`, "1000");
    const never = runScript(stuck, { KX_JOIN_WAIT_SECONDS: "0" });
    expect(never.status).toBe(1);
    expect(never.stderr).toContain("kubeadm join kept failing for 0s");
    expect(existsSync(`${stuck}/kube/kx-join.yaml`)).toBe(false);
  });
});
