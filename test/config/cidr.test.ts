import { describe, expect, test } from "vitest";
import { cidrProblem, contains, formatCidr, overlaps, parseCidr, subnet } from "../../src/config/cidr.js";

const c = (text: string) => {
  const parsed = parseCidr(text);
  if (!parsed) throw new Error(`not a CIDR: ${text}`);
  return parsed;
};

describe("parseCidr", () => {
  test.each(["10.0.0.0/16", "0.0.0.0/0", "255.255.255.255/32", "192.168.1.128/25"])("accepts %s and formats it back", (text) => {
    expect(formatCidr(c(text))).toBe(text);
  });
  test.each(["10.0.0.0", "10.0.0/16", "10.0.0.256/24", "10.0.0.0/33", "010.0.0.0/8", "10.0.0.0/-1", " 10.0.0.0/8", "10.0.0.1/16", 42, undefined])(
    "rejects %s",
    (text) => {
      expect(parseCidr(text)).toBeUndefined();
    },
  );
});

test("cidrProblem names the block when host bits are set", () => {
  expect(cidrProblem("10.0.3.7/22")).toBe('"10.0.3.7/22" has host bits set; the block is 10.0.0.0/22');
  expect(cidrProblem("nope")).toBe('"nope" is not an IPv4 CIDR block such as 10.0.0.0/16');
  expect(cidrProblem("10.0.0.0/16")).toBeUndefined();
});

describe("contains and overlaps", () => {
  test("containment includes the edges and the block itself", () => {
    expect(contains(c("10.0.0.0/16"), c("10.0.255.0/24"))).toBe(true);
    expect(contains(c("10.0.0.0/16"), c("10.0.0.0/16"))).toBe(true);
    expect(contains(c("10.0.0.0/16"), c("10.0.0.0/15"))).toBe(false);
    expect(contains(c("10.0.0.0/16"), c("10.1.0.0/24"))).toBe(false);
  });
  test("overlap is symmetric and adjacent blocks do not overlap", () => {
    expect(overlaps(c("10.0.0.0/16"), c("10.0.128.0/17"))).toBe(true);
    expect(overlaps(c("10.0.128.0/17"), c("10.0.0.0/16"))).toBe(true);
    expect(overlaps(c("10.0.0.0/17"), c("10.0.128.0/17"))).toBe(false);
    expect(overlaps(c("0.0.0.0/0"), c("192.168.0.0/16"))).toBe(true);
    expect(overlaps(c("255.255.255.255/32"), c("255.255.255.254/31"))).toBe(true);
  });
});

test("subnet cuts numbered blocks and refuses ones that do not fit", () => {
  expect(formatCidr(subnet(c("10.0.0.0/16"), 18, 3))).toBe("10.0.192.0/18");
  expect(() => subnet(c("10.0.0.0/16"), 18, 4)).toThrow(RangeError);
  expect(() => subnet(c("10.0.0.0/16"), 15, 0)).toThrow(RangeError);
});
