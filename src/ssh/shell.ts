/** Shell quoting and the command line kx sends for a remote command. */

/** Single-quotes a word for POSIX sh. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The command line for `command`, through `sudo -n` (never prompts: a missing sudo rule
 * fails at once) unless the login user is root already.
 */
export function remoteCommand(command: string, options: { sudo?: boolean; user: string }): string {
  if (!options.sudo || options.user === "root") return command;
  return `sudo -n -- sh -c ${shellQuote(command)}`;
}
