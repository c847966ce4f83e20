/** What a member host has now, read in one read-only command. */
import { createHash } from "node:crypto";
import type { SshSession } from "../../ssh/types.js";
import { PKI_DIR, UNIT_PATH } from "./members.js";

export interface RemoteFile {
  sha256: string;
  mode: number;
  owner: string;
}

export interface MemberFacts {
  files: Map<string, RemoteFile>;
  active: boolean;
  /** The unit failed (exited on its own). */
  failed: boolean;
  enabled: boolean;
  /** The unit file changed since systemd loaded it. */
  needsReload: boolean;
  /** The data dir holds a member (etcd was initialised here). */
  hasData: boolean;
  unit?: string;
}

export async function readMemberFacts(session: SshSession, dataDir: string): Promise<MemberFacts> {
  const script = `
for p in ${PKI_DIR}/*.crt ${PKI_DIR}/*.key ${UNIT_PATH}; do
  [ -f "$p" ] && echo "file $p $(sha256sum < "$p" | cut -d' ' -f1) $(stat -c '%a %U:%G' "$p")"
done
echo "active $(systemctl is-active etcd 2>/dev/null)"
echo "enabled $(systemctl is-enabled etcd 2>/dev/null)"
echo "reload $(systemctl show -p NeedDaemonReload --value etcd 2>/dev/null)"
if [ -d '${dataDir}/member' ]; then echo "data yes"; else echo "data no"; fi
echo "unit-follows"
cat ${UNIT_PATH} 2>/dev/null
true`;
  const { stdout } = await session.exec(script, { sudo: true, readOnly: true, retryOnDisconnect: true, label: "read etcd facts" });
  const [head = "", unit] = splitOnce(stdout, "unit-follows\n");
  const facts: MemberFacts = { files: new Map(), active: false, failed: false, enabled: false, needsReload: false, hasData: false, unit: unit || undefined };
  for (const line of head.split("\n")) {
    const [kind, ...rest] = line.trim().split(/\s+/);
    if (kind === "file" && rest.length === 4) facts.files.set(rest[0]!, { sha256: rest[1]!, mode: parseInt(rest[2]!, 8), owner: rest[3]! });
    if (kind === "active") {
      facts.active = rest[0] === "active";
      facts.failed = rest[0] === "failed";
    }
    if (kind === "enabled") facts.enabled = rest[0] === "enabled";
    if (kind === "reload") facts.needsReload = rest[0] === "yes";
    if (kind === "data") facts.hasData = rest[0] === "yes";
  }
  return facts;
}

export function sha256(content: string | Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}

function splitOnce(text: string, marker: string): [string, string | undefined] {
  const at = text.indexOf(marker);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + marker.length)];
}
