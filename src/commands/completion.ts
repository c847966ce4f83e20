/**
 * `kx completion bash|zsh|fish`: completion scripts generated from the commander
 * program itself, so a new command or flag is completed without touching this file.
 */
import type { Command } from "commander";
import { UsageError } from "../engine/errors.js";

interface CommandSpec {
  path: string[];
  subcommands: string[];
  flags: string[];
}

function collect(command: Command, path: string[] = []): CommandSpec[] {
  const flags = command.options.flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f)));
  const subs = command.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
  const own: CommandSpec = { path, subcommands: subs.map((c) => c.name()), flags };
  return [own, ...subs.flatMap((c) => collect(c, [...path, c.name()]))];
}

export function bashScript(specs: CommandSpec[]): string {
  const cases = specs
    .map((s) => `    "${s.path.join(" ")}") words="${[...s.subcommands, ...s.flags].join(" ")}" ;;`)
    .join("\n");
  return `# kx bash completion: source <(kx completion bash)
_kx_complete() {
  local cur path="" w i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    case "\${path:+$path }$w" in
${specs.filter((s) => s.path.length > 0).map((s) => `      "${s.path.join(" ")}") path="${s.path.join(" ")}" ;;`).join("\n")}
    esac
  done
  local words=""
  case "$path" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _kx_complete kx
`;
}

export function zshScript(specs: CommandSpec[]): string {
  return `#compdef kx
# kx zsh completion: source <(kx completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bashScript(specs)}`;
}

export function fishScript(specs: CommandSpec[]): string {
  const lines = ["# kx fish completion: kx completion fish | source", "complete -c kx -f"];
  for (const s of specs) {
    const condition =
      s.path.length === 0
        ? "__fish_use_subcommand"
        : `__fish_seen_subcommand_from ${s.path[s.path.length - 1]}`;
    for (const sub of s.subcommands) lines.push(`complete -c kx -n '${condition}' -a '${sub}'`);
    for (const flag of s.flags.filter((f) => f.startsWith("--"))) lines.push(`complete -c kx -n '${condition}' -l '${flag.slice(2)}'`);
  }
  return `${lines.join("\n")}\n`;
}

export async function run(shell: string, _options: unknown, _globals: unknown, io?: { result(text: string): void }): Promise<number> {
  const { buildProgram } = await import("../cli.js");
  const specs = collect(buildProgram(() => undefined));
  const scripts: Record<string, (s: CommandSpec[]) => string> = { bash: bashScript, zsh: zshScript, fish: fishScript };
  const make = scripts[shell];
  if (!make) throw new UsageError(`unknown shell "${shell}"`, "Use one of: bash, zsh, fish.");
  const text = make(specs);
  if (io) io.result(text);
  else process.stdout.write(text);
  return 0;
}
