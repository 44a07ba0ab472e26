import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../config/load.js";
import { declaredExceptions } from "./declared.js";

const inDays = (days: number) => new Date(Date.now() + days * 24 * 3600 * 1000).toISOString();

function issuesOf(value: unknown): string[] {
  try {
    parseConfig(value);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  return [];
}

describe("exceptions in the configuration", () => {
  const entry = {
    id: "bastion-rebuild",
    detection: "sg-ssh-open-world",
    principal: "arn:aws:iam::123456789012:role/bastion-builder",
    owner: "platform",
    reason: "bastion image rebuild",
    expiresAt: inDays(3),
  };

  it("become exception records with their one scope", () => {
    const config = parseConfig({
      exceptions: { declared: [entry, { ...entry, id: "office", principal: undefined, cidr: "198.51.100.0/24" }] },
    });

    const records = declaredExceptions(config);

    expect(records.map((record) => [record.id, record.scope, record.source])).toEqual([
      ["cfg-bastion-rebuild", { kind: "principal", value: entry.principal }, "config"],
      ["cfg-office", { kind: "cidr", value: "198.51.100.0/24" }, "config"],
    ]);
  });

  it("are refused naming the field: no scope, two scopes, too far out, a detection that is no id, duplicate id", () => {
    const { principal: _principal, ...unscoped } = entry;
    const issues = issuesOf({
      exceptions: {
        maxDays: 7,
        declared: [
          { ...unscoped, id: "none" },
          { ...entry, id: "two", resource: "sg-0abc" },
          { ...entry, id: "far", expiresAt: inDays(8) },
          { ...entry, id: "unknown", detection: "Not A Rule" },
          { ...entry, id: "dup" },
          { ...entry, id: "dup" },
          { ...entry, id: "bad-range", principal: undefined, cidr: "10.0.0.0/33" },
        ],
      },
    });

    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^exceptions\.declared\.0: expected exactly one scope .*found none/),
        expect.stringMatching(/^exceptions\.declared\.1: expected exactly one scope .*found principal, resource/),
        "exceptions.declared.2.expiresAt: must be at most exceptions.maxDays (7) days from now",
        expect.stringMatching(/^exceptions\.declared\.3\.detection: /),
        'exceptions.declared.5.id: duplicate id "dup"',
        expect.stringMatching(/^exceptions\.declared\.6\.cidr: expected a CIDR/),
      ]),
    );
  });

  it("accepts one already expired (it simply no longer holds)", () => {
    expect(issuesOf({ exceptions: { declared: [{ ...entry, expiresAt: "2020-01-01T00:00:00Z" }] } })).toEqual([]);
  });
});
