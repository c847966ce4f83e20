/**
 * Runs a provisioning script as root in a private mount namespace whose /etc, /var,
 * /usr/local and /opt are overlays on this machine's (the changes land in the sandbox's
 * upper directories, never on the host), with stand-ins on PATH for what reaches
 * outside: curl serves prepared downloads and logs the URLs, and the system commands a
 * build instance has (systemctl, modprobe, …) log their calls. Running a script twice
 * in the same sandbox shows whether it is safe to re-run.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";

const OVERLAID = ["/etc", "/var", "/usr/local", "/opt"];

/** Commands that only log their call, as if they had worked. */
const LOGGING_STUBS = ["modprobe", "swapoff", "systemctl", "apt-get", "apt-mark", "snap", "cloud-init"];

const CURL = `#!/bin/bash
# curl stand-in: -o FILE URL; serves $SANDBOX_DOWNLOADS/<last part of the URL>.
out=""; url=""
while [ $# -gt 0 ]; do
  case "$1" in
    -o) out="$2"; shift 2 ;;
    --proto|--retry|--retry-delay) shift 2 ;;
    -*) shift ;;
    *) url="$1"; shift ;;
  esac
done
echo "curl $url" >> "$SANDBOX_LOG"
src="$SANDBOX_DOWNLOADS/\${url##*/}"
[ -f "$src" ] || { echo "curl: (22) The requested URL returned error: 404" >&2; exit 22; }
cp "$src" "$out"
`;

/** sysctl stand-in: --system is a no-op; -n NAME answers from /etc/sysctl.d as if --system had applied it. */
const SYSCTL = `#!/bin/bash
echo "sysctl $*" >> "$SANDBOX_LOG"
if [ "$1" = "-n" ]; then
  v=$(cat /etc/sysctl.d/*.conf 2>/dev/null | awk -F' *= *' -v k="$2" '$1 == k { print $2 }' | tail -n 1)
  [ -n "$v" ] && echo "$v" || echo 0
fi
`;

export interface ScriptSandbox {
  root: string;
  /** Where curl finds what it serves, by file name. */
  downloads: string;
  /** Path of a file as the sandbox sees it after the runs (upper layer first, then the host). */
  upper(path: string): string;
  run(script: string, env?: Record<string, string>): Promise<{ exitCode: number; stdout: string; stderr: string; calls: string[] }>;
  cleanup(): void;
}

export function scriptSandbox(): ScriptSandbox {
  const root = mkdtempSync(join(tmpdir(), "kx-script-sandbox-"));
  const downloads = join(root, "downloads");
  const stubs = join(root, "stubs");
  for (const dir of [downloads, stubs]) mkdirSync(dir, { recursive: true });
  for (const name of LOGGING_STUBS) writeStub(join(stubs, name), `#!/bin/bash\necho "${name} $*" >> "$SANDBOX_LOG"\n`);
  writeStub(join(stubs, "curl"), CURL);
  writeStub(join(stubs, "sysctl"), SYSCTL);
  for (const dir of OVERLAID) mkdirSync(join(root, "upper", dir), { recursive: true });

  const mounts = OVERLAID.map((dir) => {
    const upper = join(root, "upper", dir);
    const work = join(root, "work", dir);
    return `mkdir -p '${work}' && mount -t overlay overlay -o 'lowerdir=${dir},upperdir=${upper},workdir=${work}' '${dir}'`;
  }).join(" && ");

  return {
    root,
    downloads,
    upper: (path) => join(root, "upper", path),
    async run(script, env = {}) {
      const log = join(root, "calls.log");
      writeFileSync(log, "");
      const result = await execa("unshare", ["--mount", "--fork", "bash", "-c", `mount --make-rprivate / && ${mounts} && exec bash "$0"`, script], {
        reject: false,
        extendEnv: false,
        env: {
          PATH: `${stubs}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
          HOME: "/root",
          LANG: "C.UTF-8",
          SANDBOX_LOG: log,
          SANDBOX_DOWNLOADS: downloads,
          ...env,
        },
      });
      const calls = existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : [];
      return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr, calls };
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

function writeStub(path: string, text: string): void {
  writeFileSync(path, text);
  chmodSync(path, 0o755);
}
