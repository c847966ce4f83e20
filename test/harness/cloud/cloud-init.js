// @ts-check
/**
 * cloud-init's part for the test hosts: an instance's user data (a shell script: kx
 * sends no #cloud-config) runs once, as root, when the instance first runs, from
 * /run/kx/cloud-init/<instance-id>/user-data inside the host, its output appended to
 * /var/log/cloud-init-output.log. The environment is what an instance gives a script,
 * plus where this cloud's metadata service and CA are.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * @typedef {{ instanceId: string, host: string, exitCode: number | null, output: string, done: Promise<number> }} UserDataRun
 */

/**
 * @param {{ name: string, pathOnHost(p: string): string, spawn(command: string, env: NodeJS.ProcessEnv): import("node:child_process").ChildProcess }} host
 * @param {string} instanceId
 * @param {string} userDataBase64
 * @param {NodeJS.ProcessEnv} extraEnv
 * @returns {UserDataRun}
 */
export function runUserData(host, instanceId, userDataBase64, extraEnv) {
  const script = Buffer.from(userDataBase64, "base64").toString("utf8");
  if (!script.startsWith("#!")) throw new Error(`cloud-init stand-in: user data of ${instanceId} is not a script (kx only sends scripts): ${script.slice(0, 40)}`);
  const dir = `/run/kx/cloud-init/${instanceId}`;
  mkdirSync(host.pathOnHost(dir), { recursive: true, mode: 0o700 });
  writeFileSync(join(host.pathOnHost(dir), "user-data"), script, { mode: 0o700 });
  const env = { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", HOME: "/root", LANG: "C.UTF-8", ...extraEnv };
  const child = host.spawn(`exec ${dir}/user-data >>/var/log/cloud-init-output.log 2>&1`, env);
  child.stdin?.end();
  /** @type {UserDataRun} */
  const run = {
    instanceId,
    host: host.name,
    exitCode: null,
    output: "",
    done: new Promise((resolve) =>
      child.on("exit", (code, signal) => {
        run.exitCode = code ?? (signal ? 128 : 1);
        resolve(run.exitCode);
      }),
    ),
  };
  child.stderr?.on("data", (d) => (run.output += d));
  return run;
}
