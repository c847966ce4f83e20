/**
 * Packer's -machine-readable output: one line per message, "timestamp,target,type,data…",
 * where commas inside data are written as %!(PACKER_COMMA) and newlines as "\n".
 */
export interface MachineReadableLine {
  timestamp: string;
  /** The build the line is about ("node.amazon-ebs.node"), empty for global lines. */
  target: string;
  type: string;
  data: string[];
}

export function unescapeData(field: string): string {
  return field.replaceAll("%!(PACKER_COMMA)", ",").replaceAll("\\n", "\n").replaceAll("\\r", "\r");
}

/** The parsed line, or undefined for a line that is not machine-readable (a plugin's stray output). */
export function parseMachineReadable(line: string): MachineReadableLine | undefined {
  const fields = line.replace(/\r$/, "").split(",");
  if (fields.length < 3 || !/^\d+$/.test(fields[0]!)) return undefined;
  const [timestamp, target, type, ...data] = fields;
  return { timestamp: timestamp!, target: target!, type: type!, data: data.map(unescapeData) };
}

/** The text a person would have seen for this line ("ui" lines), split into lines. */
export function uiText(line: MachineReadableLine): string[] {
  if (line.type !== "ui" || line.data.length < 2) return [];
  return line.data
    .slice(1)
    .join(",")
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => l.trim().length > 0);
}

/** "region:ami-…" of an `artifact,<n>,id,<value>` line. */
export function artifactId(line: MachineReadableLine): string | undefined {
  return line.type === "artifact" && line.data[1] === "id" ? line.data[2] : undefined;
}

/**
 * The AMI id for `region` in an artifact id: "eu-west-1:ami-0abc" or, when the image is
 * copied to other regions, "eu-west-1:ami-0abc,us-east-1:ami-0def".
 */
export function amiForRegion(artifact: string, region: string): string | undefined {
  const pairs = artifact.split(",").map((pair) => pair.trim().split(":"));
  const match = pairs.find(([r]) => r === region) ?? (pairs.length === 1 ? pairs[0] : undefined);
  const ami = match?.[1];
  return ami && /^ami-[0-9a-f]+$/.test(ami) ? ami : undefined;
}

/** Keeps the last `size` lines seen. */
export class Tail {
  readonly #lines: string[] = [];
  constructor(private readonly size = 20) {}
  push(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length > this.size) this.#lines.shift();
  }
  lines(): string[] {
    return [...this.#lines];
  }
}
