/**
 * A Prompter that answers from a script, in order. Each entry names the question it
 * expects (a regexp on the message), so a test fails loudly when the wizard asks
 * something else. `undefined` takes the default. A rejected answer is recorded with
 * the validation message, and the next entry must answer the same question again.
 */
import type { Choice, Prompter } from "../../src/config/prompter.js";

export type Answer = string | number | boolean | string[] | undefined;

export class ScriptedPrompter implements Prompter {
  readonly asked: string[] = [];
  readonly rejected: { question: string; answer: unknown; problem: string }[] = [];
  readonly offered: Record<string, unknown[]> = {};
  readonly #script: [RegExp, Answer][];

  constructor(script: [RegExp, Answer][]) {
    this.#script = [...script];
  }

  get remaining(): number {
    return this.#script.length;
  }

  #next(message: string): Answer {
    const entry = this.#script.shift();
    if (!entry) throw new Error(`no scripted answer for "${message}"`);
    if (!entry[0].test(message)) throw new Error(`the wizard asked "${message}" but the script expected ${entry[0]}`);
    this.asked.push(message);
    return entry[1];
  }

  async input(q: { message: string; default?: string; validate?: (value: string) => string | true }): Promise<string> {
    for (;;) {
      const answer = this.#next(q.message);
      const text = answer === undefined ? (q.default ?? "") : String(answer);
      const verdict = q.validate ? q.validate(text) : true;
      if (verdict === true) return text;
      this.rejected.push({ question: q.message, answer: text, problem: verdict });
    }
  }

  async select<T>(q: { message: string; choices: Choice<T>[]; default?: T }): Promise<T> {
    this.offered[q.message] = q.choices.map((c) => c.value);
    const answer = this.#next(q.message);
    const value = (answer === undefined ? q.default : answer) as T;
    if (!q.choices.some((c) => c.value === value)) throw new Error(`${String(value)} is not a choice of "${q.message}"`);
    return value;
  }

  async confirm(q: { message: string; default?: boolean }): Promise<boolean> {
    const answer = this.#next(q.message);
    return answer === undefined ? (q.default ?? false) : Boolean(answer);
  }

  async checkbox<T>(q: { message: string; choices: Choice<T>[]; validate?: (values: T[]) => string | true }): Promise<T[]> {
    this.offered[q.message] = q.choices.map((c) => c.value);
    for (;;) {
      const answer = this.#next(q.message);
      const picked = (answer === undefined ? q.choices.filter((c) => c.checked).map((c) => c.value) : answer) as T[];
      const verdict = q.validate ? q.validate(picked) : true;
      if (verdict === true) return picked;
      this.rejected.push({ question: q.message, answer: picked, problem: verdict });
    }
  }
}
