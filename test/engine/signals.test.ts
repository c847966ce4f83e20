import { afterEach, describe, expect, it } from "vitest";
import { watchInterrupts, type InterruptWatch } from "../../src/engine/signals.js";

let watch: InterruptWatch | undefined;
afterEach(() => watch?.dispose());

describe("watchInterrupts", () => {
  it("aborts on the first signal and calls onSecond on the next", () => {
    const seen: string[] = [];
    watch = watchInterrupts({ onFirst: (s) => seen.push(`first ${s}`), onSecond: (s) => seen.push(`second ${s}`) });
    expect(watch.signal.aborted).toBe(false);
    process.emit("SIGTERM");
    expect(watch.signal.aborted).toBe(true);
    expect(String(watch.signal.reason)).toContain("interrupted by SIGTERM");
    process.emit("SIGINT");
    expect(seen).toEqual(["first SIGTERM", "second SIGINT"]);
  });

  it("removes its handlers when disposed", () => {
    const before = process.listenerCount("SIGINT");
    const w = watchInterrupts({ onSecond: () => undefined });
    expect(process.listenerCount("SIGINT")).toBe(before + 1);
    w.dispose();
    expect(process.listenerCount("SIGINT")).toBe(before);
  });
});
