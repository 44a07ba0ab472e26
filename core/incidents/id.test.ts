import { describe, expect, it } from "vitest";
import { incidentDigest, incidentIdFor } from "./id.js";

describe("incidentIdFor", () => {
  it("is stable for the same detection and event ids, in any order", () => {
    const a = incidentIdFor({ detection: "sg-ssh-open-world", eventIds: ["e1", "e2"] });
    const b = incidentIdFor({ detection: "sg-ssh-open-world", eventIds: ["e2", "e1"] });

    expect(a).toBe(b);
  });

  it("differs by detection and by events", () => {
    const base = incidentIdFor({ detection: "sg-ssh-open-world", eventIds: ["e1"] });

    expect(incidentIdFor({ detection: "sg-high-risk-port-open", eventIds: ["e1"] })).not.toBe(base);
    expect(incidentIdFor({ detection: "sg-ssh-open-world", eventIds: ["e2"] })).not.toBe(base);
  });

  it("is a valid Step Functions execution name", () => {
    const id = incidentIdFor({ detection: "s3-public-access-block-disabled", eventIds: ["<script>", "x y"] });

    expect(id).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });
});

describe("incidentDigest", () => {
  it("is the hash part of the incident id", () => {
    const finding = { detection: "sg-ssh-open-world", eventIds: ["e2", "e1"] } as const;

    expect(incidentIdFor(finding)).toBe(`sg-ssh-open-world-${incidentDigest(finding).toString("hex")}`);
  });
});
