/**
 * The Prompter at a terminal, over @inquirer/prompts. Input and output streams can be
 * injected (tests drive it through PassThrough streams). Ctrl-C becomes an
 * InterruptedError (exit 130): the wizard has written nothing yet.
 */
import { Writable } from "node:stream";
import { checkbox, confirm, input, select } from "@inquirer/prompts";
import { InterruptedError } from "../engine/errors.js";
import type { Prompter } from "./prompter.js";

export interface PromptStreams {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

export function inquirerPrompter(streams: PromptStreams = {}): Prompter {
  // inquirer pipes into `output` and ends it when a prompt closes; only process.stdout
  // survives that, so any other stream gets a fresh pass-through per prompt.
  const context = () => ({ input: streams.input, output: streams.output && keepOpen(streams.output) });
  return {
    input: (q) => interruptible(input({ message: q.message, default: q.default, validate: q.validate }, context())),
    select: (q) => interruptible(select({ message: q.message, choices: q.choices, default: q.default }, context())),
    confirm: (q) => interruptible(confirm({ message: q.message, default: q.default }, context())),
    checkbox: (q) =>
      interruptible(
        checkbox(
          {
            message: q.message,
            choices: q.choices.map((c) => ({ value: c.value, name: c.name, description: c.description, checked: c.checked })),
            validate: q.validate ? (picked) => q.validate!(picked.map((p) => p.value)) : undefined,
          },
          context(),
        ),
      ),
  };
}

function keepOpen(target: NodeJS.WritableStream): NodeJS.WritableStream {
  return new Writable({
    write(chunk, _encoding, done) {
      target.write(chunk, done);
    },
  });
}

async function interruptible<T>(prompt: Promise<T>): Promise<T> {
  try {
    return await prompt;
  } catch (error) {
    // Recognised by name: @inquirer/core may be loaded in more than one copy.
    if (error instanceof Error && error.name === "ExitPromptError") throw new InterruptedError("interrupted; nothing was written");
    throw error;
  }
}
