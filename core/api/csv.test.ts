import { describe, expect, it } from "vitest";
import { csvCell, toCsv } from "./csv.js";

/** A small RFC 4180 reader, to prove the output parses back to the intended cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      row.push(cell);
      cell = "";
    } else if (char === "\r" && text[index + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      index++;
    } else cell += char;
  }
  return rows;
}

describe("csv", () => {
  it.each(['=HYPERLINK("http://evil")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tinjected", "\rinjected"])(
    "shows %j as text, never a formula",
    (payload) => {
      const cell = parseCsv(`${csvCell(payload)}\r\n`)[0]![0]!;

      expect(cell).toBe(`'${payload}`);
    },
  );

  it("quotes commas, quotes and line breaks so rows stay intact", () => {
    const hostile = 'a,"b"\r\nc';

    const rows = parseCsv(
      toCsv(
        ["x", "y"],
        [
          [hostile, { nested: "v,1" }],
          ["plain", undefined],
        ],
      ),
    );

    expect(rows).toEqual([
      ["x", "y"],
      [hostile, '{"nested":"v,1"}'],
      ["plain", ""],
    ]);
  });
});
