import { describe, expect, it } from "vitest";
import { ACTION_REVERSIBILITY, REMEDIATION_ACTION_IDS } from "../model/actions.js";
import { CATALOG } from "./catalog.js";
import { renderDetectionReference } from "./reference.js";

describe("the detection reference: responses and reversibility", () => {
  const reference = renderDetectionReference();
  const summaryRows = reference.split("\n").filter((line) => line.startsWith("| [`"));

  it("gives every detection's summary row its response and whether that response can be undone", () => {
    expect(summaryRows).toHaveLength(CATALOG.length);
    for (const definition of CATALOG) {
      const row = summaryRows.find((line) => line.startsWith(`| [\`${definition.id}\`]`))!;
      const cells = row.split("|").map((cell) => cell.trim());
      const action = definition.response.action;
      const expected =
        definition.id === "guardduty-finding" ? "per action" : action ? ACTION_REVERSIBILITY[action].reversible : "—";
      expect([definition.id, cells.at(-2)]).toEqual([definition.id, expected]);
      if (action && definition.id !== "guardduty-finding") expect(row).toContain(`\`${action}\``);
    }
  });

  it("says in each remediating detection's section how its action is undone", () => {
    const section = reference.split("### `s3-bucket-policy-public`")[1]!.split("### ")[0]!;
    expect(section).toContain(
      "**Reversible.** yes (`s3-remove-public-policy`): PutBucketPolicy with the previous policy, from the action's before snapshot.",
    );
    const notifyOnly = reference.split("### `root-account-usage`")[1]!.split("### ")[0]!;
    expect(notifyOnly).not.toContain("**Reversible.**");
  });

  it("lists every action with its undo", () => {
    const actions = reference.split("## Response actions")[1]!;
    for (const id of REMEDIATION_ACTION_IDS) {
      const row = actions.split("\n").find((line) => line.startsWith(`| \`${id}\` `));
      expect(row, id).toContain(ACTION_REVERSIBILITY[id].how);
      expect(ACTION_REVERSIBILITY[id].how.length, id).toBeGreaterThan(10);
    }
  });
});
