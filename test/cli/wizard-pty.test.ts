/**
 * The wizard of the real binary at a real terminal: `script` gives kx a pseudo-terminal,
 * so kx sees a TTY and asks. Answers are typed only once their question is on screen.
 */
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KX_BIN } from "../helpers/kx.js";

interface Terminal {
  /** Resolves when the screen (since the last answer) shows `pattern`. */
  waitFor(pattern: RegExp): Promise<void>;
  type(keys: string): void;
  exit: Promise<number | null>;
  screen(): string;
}

function terminal(args: string[], home: string): Terminal {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, TERM: "xterm", AWS_EC2_METADATA_DISABLED: "true", AWS_CONFIG_FILE: join(home, "none"), AWS_SHARED_CREDENTIALS_FILE: join(home, "none") };
  delete env.CI;
  delete env.AWS_ACCESS_KEY_ID;
  delete env.AWS_SECRET_ACCESS_KEY;
  const command = [process.execPath, KX_BIN, ...args].map((a) => `'${a}'`).join(" ");
  const child = spawn("script", ["-qec", command, "/dev/null"], { env });
  let out = "";
  let mark = 0;
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (w.pattern.test(out.slice(mark).replace(/\u001b\[[0-9;?]*[a-zA-Z]/g, ""))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    check();
  });
  const exit = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return {
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        check();
        exit.then(() => reject(new Error(`kx exited before showing ${pattern}:\n${out}`)));
      }),
    type(keys) {
      mark = out.length;
      child.stdin.write(keys);
    },
    exit,
    screen: () => out.replace(/\u001b\[[0-9;?]*[a-zA-Z]/g, ""),
  };
}

describe("the wizard at a terminal", () => {
  it("asks for the cluster's name first, and Ctrl-C there exits 130 leaving nothing behind", async () => {
    const home = mkdtempSync(join(tmpdir(), "kx-wizard-"));
    const t = terminal(["create", "cluster"], home);
    await t.waitFor(/Cluster name/);
    t.type("\u0003");
    expect(await t.exit).toBe(130);
    expect(existsSync(join(home, ".kx"))).toBe(false);
  }, 60_000);

  it("re-asks a name that is not a DNS-1123 label, with the schema's message", async () => {
    const home = mkdtempSync(join(tmpdir(), "kx-wizard-"));
    const t = terminal(["create", "cluster"], home);
    await t.waitFor(/Cluster name/);
    t.type("Bad_Name\r");
    await t.waitFor(/DNS-1123/);
    t.type("\u0003");
    expect(await t.exit).toBe(130);
  }, 60_000);
});
