import { describe, expect, it } from "vitest";
import { arrayElementSlices, compactCloudTrailSlices, memberValueOffset, recordSlices } from "./json-slices.js";

const parsedSlices = (text: string, bounds: number[]) => {
  const values: unknown[] = [];
  for (let i = 0; i < bounds.length; i += 2) values.push(JSON.parse(text.slice(bounds[i], bounds[i + 1])));
  return values;
};

describe("recordSlices", () => {
  it("finds every record of a CloudTrail file, whatever its strings hold", () => {
    // Arrange: brackets, quotes, backslashes and separators inside strings; nested lists.
    const records = [
      { eventName: "A", userAgent: 'x"]},{"y', path: "C:\\dir\\", nested: { items: [{ a: [1, [2]] }, {}] } },
      { eventName: "B", note: '\\\\"', empty: [], unicode: "é\u2028😀", n: -0.5e3, t: true, z: null },
      { eventName: "C" },
    ];
    const text = JSON.stringify({ Records: records });

    // Act
    const bounds = recordSlices(text, JSON.parse(text));

    // Assert
    expect(bounds).toBeDefined();
    expect(parsedSlices(text, bounds!)).toEqual(records);
  });

  it("slices compact CloudTrail files by their record boundaries, and falls back when a record nests one", () => {
    // Arrange: a record holding an object that starts like a record, in a list.
    const plain = { eventVersion: "1.09", eventID: "e-1", note: '},{"eventVersion":' };
    const nesting = {
      eventVersion: "1.09",
      eventID: "e-2",
      requestParameters: { list: [{ a: 1 }, { eventVersion: "x" }] },
    };
    const last = { eventVersion: "1.09", eventID: "e-3" };
    const simple = JSON.stringify({ Records: [plain, last] });
    const nested = JSON.stringify({ Records: [plain, nesting, last] });

    // Act
    const simpleBounds = recordSlices(simple, JSON.parse(simple));
    const nestedBounds = recordSlices(nested, JSON.parse(nested));

    // Assert
    expect(parsedSlices(simple, simpleBounds!)).toEqual([plain, last]);
    expect(compactCloudTrailSlices(simple, [plain, last])).toEqual(simpleBounds);
    expect(parsedSlices(nested, nestedBounds!)).toEqual([plain, nesting, last]);
    expect(compactCloudTrailSlices(nested, [plain, nesting, last])).toBeUndefined();
  });

  it("reads pretty-printed documents and top-level arrays of any values", () => {
    const values = [{ a: 1 }, "two", 3, null, [4, { b: "]" }], false];
    const pretty = JSON.stringify(values, null, 2);
    const doc = `\n  ${JSON.stringify({ other: [1, 2], Records: [{ x: "}" }, { y: 2 }] }, null, "\t")}  \n`;

    const arrayBounds = recordSlices(pretty, JSON.parse(pretty));
    const docBounds = recordSlices(doc, JSON.parse(doc));

    expect(parsedSlices(pretty, arrayBounds!)).toEqual(values);
    expect(parsedSlices(doc, docBounds!)).toEqual([{ x: "}" }, { y: 2 }]);
  });

  it("takes the last Records member, as JSON.parse does", () => {
    const text = '{"Records":[{"old":1}],"Records":[{"new":1},{"new":2}]}';

    const bounds = recordSlices(text, JSON.parse(text));

    expect(parsedSlices(text, bounds!)).toEqual([{ new: 1 }, { new: 2 }]);
  });

  it("gives up on escaped member names and on text that disagrees with the value", () => {
    const escaped = '{"Rec\\u006frds":[{"a":1}]}';
    const text = '{"Records":[{"a":1},{"b":2}]}';

    expect(recordSlices(escaped, JSON.parse(escaped))).toBeUndefined();
    expect(recordSlices(text, { Records: [{ a: 1 }] })).toBeUndefined();
    expect(recordSlices(text, { a: 1 })).toBeUndefined();
  });
});

describe("arrayElementSlices and memberValueOffset", () => {
  it("bound an empty array and find a member after nested ones", () => {
    const text = '{"a":{"Records":[1]},"b":"Records","Records" : []}';

    const at = memberValueOffset(text, 0, "Records");

    expect(at).toBe(text.lastIndexOf("["));
    expect(arrayElementSlices(text, at!)).toEqual([]);
    expect(memberValueOffset(text, 0, "missing")).toBeUndefined();
    expect(arrayElementSlices(text, 0)).toBeUndefined();
  });
});
