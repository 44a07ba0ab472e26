import { describe, expect, it } from "vitest";
import { accountIdIn, foreignReplicationAccount, isForeignAccount } from "./foreign-accounts.js";

const OWN = "123456789012";
const TRUSTED = "111122223333";
const FOREIGN = "210987654321";
const foreign = (account: string) => isForeignAccount(account, OWN, [TRUSTED]);

describe("foreign accounts", () => {
  it("counts a 12-digit id that is neither own nor trusted, and nothing else", () => {
    expect([FOREIGN, OWN, TRUSTED, "*", "21098765432", "s3.amazonaws.com"].map(foreign)).toEqual([
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it("reads account ids written with dashes or as numbers", () => {
    expect([accountIdIn("2109-8765-4321"), accountIdIn(210987654321), accountIdIn(" x ")]).toEqual([
      FOREIGN,
      FOREIGN,
      "x",
    ]);
  });

  it("names the foreign destination of a replication rule, from CloudTrail's body or S3's answer alike", () => {
    const rule = (Account?: unknown) => ({ Destination: { Bucket: "arn:aws:s3:::replica", Account } });

    expect(
      [rule(FOREIGN), rule(TRUSTED), rule(OWN), rule(), rule({ x: 1 }), { Destination: "x" }, null].map((r) =>
        foreignReplicationAccount(r, foreign),
      ),
    ).toEqual([FOREIGN, undefined, undefined, undefined, undefined, undefined, undefined]);
  });
});
