import { describe, expect, it } from "vitest";
import { cidrContains, inAnyCidr, isWorldOpen, parseCidr, parseIp } from "./ip.js";

describe("parseIp", () => {
  it.each([
    ["1.2.3.4", 4, 0x01020304n],
    ["::1", 6, 1n],
    ["2001:db8::", 6, 0x20010db8n << 96n],
    ["::ffff:10.0.0.1", 4, 0x0a000001n],
  ] as const)("%s", (text, version, value) => {
    expect(parseIp(text)).toEqual({ version, value });
  });

  it.each(["", "1.2.3", "999.1.1.1", "ec2.amazonaws.com", "AWS Internal", "1.2.3.4/32"])("rejects %j", (text) => {
    expect(parseIp(text)).toBeUndefined();
  });
});

describe("CIDRs", () => {
  it("contains addresses inside the range only, by family", () => {
    const range = parseCidr("10.1.0.0/16");
    expect(range && cidrContains(range, parseIp("10.1.255.255")!)).toBe(true);
    expect(range && cidrContains(range, parseIp("10.2.0.0")!)).toBe(false);
    expect(inAnyCidr("2001:db8::5", ["2001:db8::/32"])).toBe(true);
    expect(inAnyCidr("10.0.0.1", ["2001:db8::/32", "bogus"])).toBe(false);
  });

  it("rejects malformed ranges", () => {
    for (const text of ["10.0.0.0", "10.0.0.0/33", "::/129", "x/8", "10.0.0.0/-1"])
      expect(parseCidr(text)).toBeUndefined();
  });

  it("recognises world-open ranges, including anonymised a.b.c.d/0", () => {
    expect(isWorldOpen("0.0.0.0/0")).toBe(true);
    expect(isWorldOpen("::/0")).toBe(true);
    expect(isWorldOpen("1.2.3.4/0")).toBe(true);
    expect(isWorldOpen("0.0.0.0/1")).toBe(false);
    expect(isWorldOpen("a.b.c.d/0")).toBe(false);
  });
});
