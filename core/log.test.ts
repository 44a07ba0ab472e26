import { describe, expect, it } from "vitest";
import { createLogger, LOG_LEVELS, type LogLevel } from "./log.js";

function capture(level?: LogLevel) {
  const lines: string[] = [];
  const logger = createLogger({
    ...(level ? { level } : {}),
    fields: { service: "riposte" },
    sink: (line) => lines.push(line),
  });
  return { logger, lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe("structured logs", () => {
  it("writes one JSON object per line with time, level, message and fields", () => {
    const { logger, lines, records } = capture();

    logger.info("file read", { file: "/data/trail.json", events: 3 });

    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain("\n");
    const [record] = records();
    expect(record).toMatchObject({
      level: "info",
      msg: "file read",
      service: "riposte",
      file: "/data/trail.json",
      events: 3,
    });
    expect(Number.isNaN(Date.parse(String(record?.time)))).toBe(false);
  });

  it.each([
    ["debug", ["debug", "info", "warn", "error"]],
    ["info", ["info", "warn", "error"]],
    ["warn", ["warn", "error"]],
    ["error", ["error"]],
    ["silent", []],
  ] as const)("at level %s writes only %j", (level, written) => {
    const { logger, records } = capture(level);

    logger.debug("d");
    logger.info("i");
    logger.warn("w");
    logger.error("e");

    expect(records().map((record) => record.level)).toEqual(written);
  });

  it("defaults to info, and knows exactly the levels --log-level accepts", () => {
    const { logger, records } = capture();

    logger.debug("hidden");
    logger.info("shown");

    expect(records().map((record) => record.msg)).toEqual(["shown"]);
    expect(LOG_LEVELS).toEqual(["debug", "info", "warn", "error", "silent"]);
  });

  it("keeps attacker-controlled text inside its field: newlines and quotes cannot forge a line or a key", () => {
    const { logger, lines, records } = capture();
    const userAgent = 'curl/8.0\n{"level":"error","msg":"forged"}';

    logger.warn("unreadable record", { userAgent, level: "debug-injected" });

    expect(lines).toHaveLength(1);
    const [record] = records();
    expect(record?.userAgent).toBe(userAgent);
    expect(record?.msg).toBe("unreadable record");
    // A field named like the line's own keys is kept aside, never replacing them.
    expect(record?.level).toBe("warn");
    expect(record?.field_level).toBe("debug-injected");
  });

  it("adds a child's fields to every line and serialises errors with name and message", () => {
    const { logger, records } = capture("debug");
    const child = logger.child({ incidentId: "inc-1", executionId: "exec-1" });

    child.error("task failed", { error: new TypeError("boom") });

    const [record] = records();
    expect(record).toMatchObject({ service: "riposte", incidentId: "inc-1", executionId: "exec-1" });
    expect(record?.error).toMatchObject({ name: "TypeError", message: "boom" });
  });
});
