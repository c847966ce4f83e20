import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { runKx } from "../helpers/kx.js";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

describe("kx CLI", () => {
  it("prints its version", async () => {
    const r = await runKx(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it("lists its commands in --help", async () => {
    const r = await runKx(["--help"]);
    expect(r.code).toBe(0);
    for (const command of ["config", "schema", "completion"]) expect(r.stdout).toContain(command);
    expect(r.stdout).toContain("--output");
  });

  it("exits 2 on an unknown command or flag, saying what to do", async () => {
    const r = await runKx(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
    const f = await runKx(["--no-such-flag"]);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/unknown option/);
  });

  it("rejects an unknown shell for completion with exit 2", async () => {
    const r = await runKx(["completion", "tcsh"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown shell "tcsh"');
  });

  it("generates a bash completion script that bash accepts and that completes commands", async () => {
    const r = await runKx(["completion", "bash"]);
    expect(r.code).toBe(0);
    const script = `${r.stdout}
COMP_WORDS=(kx con); COMP_CWORD=1; _kx_complete; echo "\${COMPREPLY[@]}"
COMP_WORDS=(kx config v); COMP_CWORD=2; _kx_complete; echo "\${COMPREPLY[@]}"`;
    const bash = spawnSync("bash", ["-c", script], { encoding: "utf8" });
    expect(bash.status).toBe(0);
    const [first, second] = bash.stdout.trim().split("\n");
    expect(first).toBe("config");
    expect(second).toBe("validate");
  });

  it("generates zsh and fish completion scripts naming the commands", async () => {
    const zsh = await runKx(["completion", "zsh"]);
    expect(zsh.code).toBe(0);
    expect(zsh.stdout).toMatch(/^#compdef kx/);
    const fish = await runKx(["completion", "fish"]);
    expect(fish.code).toBe(0);
    expect(fish.stdout).toContain("complete -c kx -n '__fish_use_subcommand' -a 'config'");
  });
});
