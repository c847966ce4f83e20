/**
 * The commander program. Each command's module is imported only when it runs, so
 * `kx --help` and `kx --version` stay instant and load no AWS or SSH code.
 */
import { Command, Option } from "commander";
import { readFileSync } from "node:fs";
import { EXIT } from "./engine/errors.js";
import { reportError } from "./ui/report-error.js";

export interface GlobalOptions {
  stateDir?: string;
  output: "text" | "json";
  verbose: boolean;
  color: boolean;
  profile?: string;
  region?: string;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

/** Runs a command module's `run`, lazily imported. */
type CommandModule = Record<string, unknown>;
type Loader = () => Promise<CommandModule>;
type Action = (load: Loader, exportName?: string) => (...args: unknown[]) => Promise<void>;

export function buildProgram(onExit: (code: number) => void): Command {
  const program = new Command("kx")
    .description("kx takes you from nothing to a production-grade Kubernetes cluster on AWS, and keeps it running.")
    .version(version(), "-v, --version", "print the version of kx")
    .addOption(new Option("--state-dir <dir>", "where cluster state lives (default ~/.kx/<cluster>)").env("KX_STATE_DIR"))
    .addOption(new Option("-o, --output <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--verbose", "show debug output and stream remote command output", false)
    .option("--no-color", "disable colours (also NO_COLOR)")
    .addOption(new Option("--profile <name>", "AWS profile").env("AWS_PROFILE"))
    .addOption(new Option("--region <region>", "AWS region (overrides the config)"))
    .showHelpAfterError("(run with --help for usage)")
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true });

  const action: Action =
    (load, exportName = "run") =>
    async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const globals = command.optsWithGlobals() as GlobalOptions & Record<string, unknown>;
      try {
        const mod = await load();
        const run = mod[exportName] as (...a: unknown[]) => Promise<number | void>;
        const code = await run(...args.slice(0, -1), globals);
        onExit(typeof code === "number" ? code : EXIT.ok);
      } catch (error) {
        onExit(reportError(error, globals));
      }
    };

  registerCommands(program, action);
  return program;
}

/** Every command of kx. Keep each definition to flags and help; the work is in src/commands/. */
function registerCommands(program: Command, action: Action): void {
  const collect = (value: string, previous: string[] = []) => [...previous, value];
  const runFlags = (command: Command) =>
    command
      .option("--dry-run", "plan every step and apply none; print what would be created, changed and run", false)
      .option("--only <prefixes>", "run only the steps whose id starts with one of these (comma-separated, repeatable)", collect)
      .option("--skip <prefixes>", "leave out the steps whose id starts with one of these", collect)
      .option("--concurrency <n>", "steps running at the same time", "8")
      .option("--force-unlock", "remove a lock left by a kx that died on another machine", false);

  const create = program.command("create").description("create a cluster");
  runFlags(
    create
      .command("cluster")
      .description("create a cluster from a config file, or with a wizard at a terminal")
      .option("-f, --file <file>", "cluster config file (without it, a wizard asks at a terminal)")
      .option("-y, --yes", "never ask (also when CI=true or without a terminal)", false)
      .option("--show-files", "with --dry-run: print every file kx would write on each host", false),
  ).action(action(() => import("./commands/create.js")));

  const selectCluster = (command: Command) =>
    command
      .option("-f, --file <file>", "cluster config file")
      .option("--cluster <name>", "the cluster's name: use the config saved with its state");

  selectCluster(program.command("status").description("show how far the cluster got, its endpoints, certificate expiry, nodes and etcd health"))
    .option("--offline", "report from the state only, without logging in to the nodes", false)
    .action(action(() => import("./commands/status.js")));

  runFlags(
    selectCluster(program.command("destroy").description("delete everything the cluster owns (AWS), or reset its machines (hosts:)"))
      .option("-y, --yes", "do not ask for the cluster's name", false)
      .option("--force-ecr", "also delete ECR repositories that still hold images", false)
      .option("--skip-final-snapshot", "delete the RDS database without a final snapshot", false),
  ).action(action(() => import("./commands/destroy.js")));

  selectCluster(program.command("join").description("add nodes: grow the worker group or the control plane (AWS), or join the hosts added to the config (hosts:)"))
    .option("--workers <n>", "AWS: how many workers to add to the autoscaling group")
    .option("--control-plane <n>", "AWS: how many control-plane nodes to add (a new instance each, spread over the zones)")
    .option("--dry-run", "show what would be joined or changed, and do nothing", false)
    .option("--force-unlock", "remove a lock left by a kx that died on another machine", false)
    .action(action(() => import("./commands/join.js")));

  selectCluster(program.command("upgrade").description("upgrade Kubernetes one minor (or patch) at a time: control plane first, then the workers, each node drained"))
    .option("--to <version>", "the Kubernetes version to reach (default: the config's kubernetes.version)")
    .option("--max-unavailable <n>", "workers drained at the same time", "1")
    .option("-y, --yes", "do not ask for confirmation", false)
    .option("--dry-run", "show what each node would go through, and do nothing", false)
    .option("--force-unlock", "remove a lock left by a kx that died on another machine", false)
    .action(action(() => import("./commands/upgrade.js")));

  selectCluster(program.command("ssh").description("open a shell on a node (through the bastion, host key verified), or run a command there"))
    .argument("<node>", "node name: etcd-a, master-b, bastion, or a hosts: name")
    .argument("[command...]", "command to run instead of a shell")
    .action(action(() => import("./commands/ssh.js")));

  selectCluster(program.command("forget-host-key").description("forget a node's pinned SSH host key after the machine was really replaced"))
    .argument("<node>", "the node's name")
    .action(action(() => import("./commands/forget-host-key.js")));

  selectCluster(program.command("kubeconfig").description("merge the admin kubeconfig into ~/.kube/config as context kx-<cluster>, or write it to a file"))
    .option("--write <path>", "write a standalone kubeconfig (mode 0600) instead of merging")
    .option("--print", "print the kubeconfig, client key included, to stdout", false)
    .action(action(() => import("./commands/kubeconfig.js")));

  const images = program.command("images").description("build and list the node and etcd AMIs (Packer)");
  images
    .command("build")
    .description("build the AMIs ahead of time; an AMI with the same content hash is reused")
    .option("-f, --file <file>", "cluster config whose versions go into the images")
    .option("--cluster <name>", "use the config saved with this cluster's state")
    .option("--only <images>", "node and/or etcd (comma-separated)", collect)
    .option("--force", "build even when an AMI with the same content hash exists", false)
    .action(action(() => import("./commands/images.js"), "runBuild"));
  images
    .command("list")
    .description("list kx AMIs in the account and whether they match the current templates")
    .option("-f, --file <file>", "cluster config (for the current content hash)")
    .option("--cluster <name>", "use the config saved with this cluster's state")
    .action(action(() => import("./commands/images.js"), "runList"));

  const config = program.command("config").description("validate and scaffold cluster config files");
  config
    .command("validate")
    .description("check a cluster config: every problem listed with its YAML path and line")
    .requiredOption("-f, --file <file>", "cluster config file")
    .action(action(() => import("./commands/config-validate.js")));
  config
    .command("init")
    .description("write a commented example cluster config")
    .option("-f, --file <file>", "where to write it (default: stdout)")
    .option("--force", "overwrite an existing file", false)
    .action(action(() => import("./commands/config-init.js")));

  program
    .command("schema")
    .description("print the JSON Schema of the cluster config (for editors)")
    .action(action(() => import("./commands/schema.js")));

  program
    .command("completion")
    .description("print a shell completion script")
    .argument("<shell>", "bash, zsh or fish")
    .action(action(() => import("./commands/completion.js")));
}

/** Entry point used by bin/kx.js; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram((code) => (exitCode = code));
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    const e = error as { code?: string; exitCode?: number };
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return EXIT.ok;
    if (typeof e.code === "string" && e.code.startsWith("commander.")) return EXIT.usage;
    throw error;
  }
  return exitCode;
}
