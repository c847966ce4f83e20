/**
 * The questions the wizard asks, behind a small interface: the terminal implementation
 * is inquirer-prompter.ts; tests script the answers. Every method only resolves with a
 * value its `validate` accepted; otherwise it shows the message and asks again.
 */
export interface Choice<T> {
  value: T;
  /** What the list shows; the value when left out. */
  name?: string;
  description?: string;
  /** Pre-selected in a checkbox. */
  checked?: boolean;
}

/** `true` when the answer is fine, otherwise the message to show before asking again. */
export type Validate<T> = (value: T) => string | true;

export interface Prompter {
  input(question: { message: string; default?: string; validate?: Validate<string> }): Promise<string>;
  select<T>(question: { message: string; choices: Choice<T>[]; default?: T }): Promise<T>;
  confirm(question: { message: string; default?: boolean }): Promise<boolean>;
  checkbox<T>(question: { message: string; choices: Choice<T>[]; validate?: Validate<T[]> }): Promise<T[]>;
}
