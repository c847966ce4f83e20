/**
 * The SSH host keys an instance printed on its console. cloud-init writes them between
 * "-----BEGIN SSH HOST KEY KEYS-----" and "-----END SSH HOST KEY KEYS-----" on first
 * boot; that console is readable only through the EC2 API, so a key read from it can be
 * pinned before the first connection (no trust-on-first-use).
 */
const BEGIN = "-----BEGIN SSH HOST KEY KEYS-----";
const END = "-----END SSH HOST KEY KEYS-----";
const KEY_LINE = /(ssh-ed25519|ecdsa-sha2-nistp(?:256|384|521)|ssh-rsa)\s+([A-Za-z0-9+/]+={0,2})/;

/**
 * The OpenSSH public key lines ("ssh-ed25519 AAAA...", comment dropped) of the last
 * complete block in the console text, ed25519 first; undefined while no complete block
 * has appeared yet. A line whose blob does not name its own type is ignored.
 */
export function parseConsoleHostKeys(consoleText: string): string[] | undefined {
  const text = consoleText.replace(/\r/g, "");
  const end = text.lastIndexOf(END);
  if (end < 0) return undefined;
  const begin = text.lastIndexOf(BEGIN, end);
  if (begin < 0) return undefined;
  const keys: string[] = [];
  for (const line of text.slice(begin + BEGIN.length, end).split("\n")) {
    const match = KEY_LINE.exec(line);
    if (!match || !blobNamesType(match[2]!, match[1]!)) continue;
    const key = `${match[1]} ${match[2]}`;
    if (!keys.includes(key)) keys.push(key);
  }
  if (keys.length === 0) return undefined;
  return keys.sort((a, b) => rank(a) - rank(b));
}

/** The key to pin when a single one is wanted: ed25519 when the host has one. */
export function preferredHostKey(keys: readonly string[]): string | undefined {
  return [...keys].sort((a, b) => rank(a) - rank(b))[0];
}

function rank(key: string): number {
  if (key.startsWith("ssh-ed25519 ")) return 0;
  if (key.startsWith("ecdsa-")) return 1;
  return 2;
}

/** An SSH public key blob starts with its own type name (uint32 length + name). */
function blobNamesType(base64: string, type: string): boolean {
  const blob = Buffer.from(base64, "base64");
  if (blob.length < 4) return false;
  const length = blob.readUInt32BE(0);
  return length === type.length && blob.subarray(4, 4 + length).toString("latin1") === type;
}
