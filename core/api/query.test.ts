import { describe, expect, it } from "vitest";
import { parseIncidentQuery } from "./query.js";

const parse = (query: string) => parseIncidentQuery(new URLSearchParams(query));

describe("parseIncidentQuery", () => {
  it("reads comma-separated and repeated lists, text, bounds and paging", () => {
    const query = parse(
      "status=NEW,TRIAGED&status=MITIGATED&category=network&q=alice&since=2026-01-01&limit=20&cursor=abc",
    );

    expect(query).toEqual({
      status: ["NEW", "TRIAGED", "MITIGATED"],
      category: ["network"],
      text: "alice",
      since: "2026-01-01T00:00:00.000Z",
      limit: 20,
      cursor: "abc",
    });
  });

  it("names every bad parameter and the values it accepts", () => {
    let issues: string[] = [];
    try {
      parse("status=NEW,DONE&severity=urgent&since=yesterday&limit=5000");
    } catch (error) {
      issues = (error as { issues: string[] }).issues;
    }

    expect(issues).toEqual([
      expect.stringMatching(/^status\.1: expected one of NEW, TRIAGED/),
      expect.stringMatching(/^severity\.0: expected one of info, low/),
      "since: expected an ISO 8601 date or time",
      expect.stringMatching(/^limit: /),
    ]);
  });

  it("refuses a reversed time range and a single-valued parameter given twice", () => {
    expect(() => parse("since=2026-02-01&until=2026-01-01")).toThrow(/invalid query/);
    expect(() => parse("q=a&q=b")).toThrowError(
      expect.objectContaining({ status: 400, issues: ["q: given more than once"] }),
    );
  });
});
