import { describe, expect, it } from "vitest";
import { copyJson } from "./copy-json.js";

describe("copyJson", () => {
  it("copies a pattern deeply, an own __proto__ key kept as a key", () => {
    const pattern = JSON.parse(
      '{"source":["aws.s3"],"detail":{"__proto__":{"x":["1"]},"eventName":[{"prefix":"Put"}]}}',
    );
    const copy = copyJson(pattern);

    expect(copy).toEqual(pattern);
    expect(Object.keys(copy.detail)).toEqual(["__proto__", "eventName"]);
    expect(Object.getPrototypeOf(copy.detail)).toBe(Object.prototype);
    copy.detail.eventName[0].prefix = "Get";
    expect(pattern.detail.eventName[0].prefix).toBe("Put");
  });
});
