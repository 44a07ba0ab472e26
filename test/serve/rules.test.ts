import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isFinalStatus } from "../../core/model/status.js";
import { identity, record } from "../fixtures/events/cloudtrail.js";
import { GOOD_YAML } from "../fixtures/rules/own-rules.js";
import {
  incidentDetail,
  listIncidents,
  postRecords,
  type Served,
  serve,
  stopAll,
  tempDir,
  waitFor,
} from "./support/riposte.js";

/**
 * `riposte serve --rules DIR`: the users' rules run live. A rule file that does not load is
 * reported at start-up (file, field, problem) and the server starts with the others; an event
 * matching a user's rule becomes an incident that runs its workflow to the end like a built-in
 * detection's; the same event made by Riposte's own role fires nothing (loop prevention).
 */

/** A notify-only rule on any identity, so only loop prevention can keep Riposte's role out. */
const TAGGING_JSON = JSON.stringify({
  id: "own-volume-tagged",
  title: "An EBS volume was tagged",
  category: "storage",
  severity: "low",
  description: "ec2:CreateTags on a volume.",
  pattern: {
    source: ["aws.ec2"],
    detail: { eventSource: ["ec2.amazonaws.com"], eventName: ["CreateTags"] },
  },
  condition: { field: "requestParameters.resourcesSet.items.resourceId", startswith: "vol-" },
});

const BAD_YAML = `id: bad-severity
title: A rule with a severity that does not exist
category: identity
severity: extreme
description: Never loads.
pattern:
  source: [aws.iam]
  detail: { eventName: [CreateUser] }
`;

const dir = tempDir("riposte-serve-rules-");
let served: Served;

beforeAll(async () => {
  const rules = join(dir.path, "rules");
  mkdirSync(join(rules, "nested"), { recursive: true });
  writeFileSync(join(rules, "root-created-user.yml"), GOOD_YAML);
  writeFileSync(join(rules, "nested", "volume-tagged.json"), TAGGING_JSON);
  writeFileSync(join(rules, "bad.yml"), BAD_YAML);
  served = await serve({ dataDir: join(dir.path, "data"), args: ["--rules", rules] });
}, 60_000);

afterAll(async () => {
  const result = await served?.stop("SIGTERM");
  await stopAll();
  dir.remove();
  expect(result?.code).toBe(0);
});

const tags = (volume: string, user: Record<string, unknown>) =>
  record(
    "ec2.amazonaws.com",
    "CreateTags",
    { resourcesSet: { items: [{ resourceId: volume }] }, tagSet: { items: [{ key: "k", value: "v" }] } },
    { _return: true },
    { user },
  );

describe("riposte serve --rules DIR", () => {
  it("names the bad file and field at start-up and still serves", () => {
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(served.output()).toMatch(/riposte serve: rules: bad\.yml: severity: /);
  });

  it("turns an event matching a user's rule into an incident whose workflow finishes", async () => {
    const user = record("iam.amazonaws.com", "CreateUser", { userName: "backdoor" }, null, { user: identity.root() });
    await postRecords(served.url, [user]);
    const found = await waitFor(
      "an incident of root-created-user",
      async () => (await listIncidents(served.url)).find((item) => item.detection === "root-created-user"),
      20_000,
      served.output,
    );
    expect(found.category).toBe("identity");
    expect(found.severity).toBe("high");
    const detail = await waitFor(
      "the incident to reach a final status",
      async () => {
        const detail = await incidentDetail(served.url, found.id);
        return isFinalStatus(detail.incident.status) ? detail : undefined;
      },
      20_000,
      served.output,
    );
    expect(detail.incident.summary).toContain("CreateUser");
    expect(detail.incident.eventIds).toContain(user.eventID);
  });

  it("fires a rule from a subdirectory, and not on Riposte's own role (loop prevention)", async () => {
    await postRecords(served.url, [
      tags("vol-0aaa1111bbbb2222c", identity.riposte()),
      tags("vol-0ddd3333eeee4444f", identity.role("Ops", "bob")),
    ]);
    const found = await waitFor(
      "an incident of own-volume-tagged",
      async () => {
        const items = (await listIncidents(served.url)).filter((item) => item.detection === "own-volume-tagged");
        return items.length > 0 ? items : undefined;
      },
      20_000,
      served.output,
    );
    // Both events were in one post, processed together: had the first fired, it would be here too.
    const detail = await incidentDetail(served.url, found[0]!.id);
    expect(found).toHaveLength(1);
    expect(detail.incident.principal).toContain("bob");
    expect(served.output()).not.toMatch(/bad-severity/);
  });
});
