import { describe, expect, it } from "vitest";
import { findCycle, parsePrefixes, selectSteps, validateGraph } from "../../src/engine/graph.js";
import { EXIT, isKxError } from "../../src/engine/errors.js";

const node = (id: string, ...needs: string[]) => ({ id, needs });

function thrown(fn: () => unknown): Error & { exitCode?: number; hint?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a throw");
}

describe("validateGraph", () => {
  it("accepts a DAG", () => {
    expect(() => validateGraph([node("a"), node("b", "a"), node("c", "a", "b")])).not.toThrow();
  });

  it("names duplicate ids and unknown needs together", () => {
    const e = thrown(() => validateGraph([node("a"), node("a"), node("b", "zz")]));
    expect(isKxError(e)).toBe(true);
    expect(e.message).toContain("step id a is used twice");
    expect(e.message).toContain("step b needs zz, which is not a step of this run");
  });

  it("names the cycle", () => {
    const steps = [node("x"), node("a", "c"), node("b", "a"), node("c", "b", "x")];
    expect(findCycle(steps)).toEqual(["a", "c", "b", "a"]);
    expect(thrown(() => validateGraph(steps)).message).toContain("steps form a cycle: a → c → b → a (each needs the next)");
  });

  it("finds a self-loop", () => {
    expect(findCycle([node("a", "a")])).toEqual(["a", "a"]);
  });
});

describe("selectSteps", () => {
  const steps = [
    node("network/vpc"),
    node("network/subnet-public:eu-west-1a", "network/vpc"),
    node("security/sg", "network/vpc"),
    node("edge/nlb", "network/subnet-public:eu-west-1a", "security/sg"),
  ];
  const none = () => false;

  it("selects everything by default", () => {
    expect([...selectSteps(steps, {}, none)]).toEqual(steps.map((s) => s.id));
  });

  it("matches --only by id prefix, comma-separated or repeated", () => {
    expect([...selectSteps(steps, { only: "network" }, none)]).toEqual(["network/vpc", "network/subnet-public:eu-west-1a"]);
    expect(parsePrefixes(["network, security", "edge"])).toEqual(["network", "security", "edge"]);
    expect(selectSteps(steps, { only: ["network,security"] }, none).size).toBe(3);
  });

  it("refuses a selection that runs a step without a need that is neither selected nor done", () => {
    const e = thrown(() => selectSteps(steps, { only: "security,edge" }, none));
    expect(e.exitCode).toBe(EXIT.usage);
    expect(e.message).toContain("step security/sg needs network/vpc, which is neither selected nor done");
    expect(e.message).toContain("step edge/nlb needs network/subnet-public:eu-west-1a, which is neither selected nor done");
    expect(e.hint).toMatch(/--only/);
  });

  it("accepts a need that is done in the state", () => {
    const done = (id: string) => id.startsWith("network/");
    expect([...selectSteps(steps, { only: "security,edge" }, done)]).toEqual(["security/sg", "edge/nlb"]);
  });

  it("--skip leaves steps out and is checked the same way", () => {
    expect([...selectSteps(steps, { skip: "edge" }, none)]).toEqual(steps.slice(0, 3).map((s) => s.id));
    expect(thrown(() => selectSteps(steps, { skip: "network/vpc" }, none)).message).toContain("needs network/vpc");
  });

  it("refuses a prefix that matches no step, listing the areas", () => {
    const e = thrown(() => selectSteps(steps, { only: "netwrk" }, none));
    expect(e.exitCode).toBe(EXIT.usage);
    expect(e.message).toContain('no step id starts with "netwrk"');
    expect(e.hint).toContain("network, security, edge");
  });
});
