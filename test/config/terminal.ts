/**
 * A fake terminal for inquirer: answers are typed only once their question is on the
 * screen (no sleeps), so the test runs as a person would, prompt after prompt.
 */
import { PassThrough } from "node:stream";

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

export class FakeTerminal {
  readonly input = new PassThrough();
  readonly output = new PassThrough();
  #raw = "";
  #cursor = 0;
  #waiting?: { text: string; resolve: () => void };

  constructor() {
    this.output.on("data", (chunk: Buffer) => {
      this.#raw += chunk.toString();
      this.#check();
    });
  }

  /** Everything shown so far, without colours and cursor moves. */
  get screen(): string {
    return this.#raw.replace(ANSI, "");
  }

  /** Waits until `text` appears after what was already matched, then types `keys`. */
  async type(text: string, keys: string): Promise<void> {
    await this.waitFor(text);
    this.input.write(keys);
  }

  waitFor(text: string, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      // The timer only turns a hang into a readable failure; success never waits for it.
      const timer = setTimeout(() => reject(new Error(`"${text}" never appeared; the screen shows:\n${this.screen.slice(-2000)}`)), timeoutMs);
      this.#waiting = {
        text,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.#check();
    });
  }

  #check(): void {
    if (!this.#waiting) return;
    const at = this.screen.indexOf(this.#waiting.text, this.#cursor);
    if (at < 0) return;
    this.#cursor = at + this.#waiting.text.length;
    const { resolve } = this.#waiting;
    this.#waiting = undefined;
    resolve();
  }
}

export const KEY = { enter: "\r", down: "\x1b[B", space: " ", clearLine: "\x15", ctrlC: "\x03" } as const;
