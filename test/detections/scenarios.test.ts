import { describe, expect, it } from "vitest";
import { DETECTION_IDS } from "../../core/model/catalog.js";
import { identity } from "../fixtures/events/cloudtrail.js";
import { SCENARIOS } from "../fixtures/events/scenarios.js";
import { detect, of } from "./harness.js";

/** Every detection against its positive and negative scenarios (AWS record formats). */

function asRiposte(record: unknown): unknown {
  if (typeof record !== "object" || record === null || !("userIdentity" in record)) return record;
  return { ...(record as Record<string, unknown>), userIdentity: identity.riposte() };
}

describe("detection scenarios", () => {
  it("cover every detection with at least one positive and one negative scenario", () => {
    for (const id of DETECTION_IDS) {
      const scenarios = SCENARIOS.filter((scenario) => scenario.detection === id);
      expect(
        scenarios.some((scenario) => scenario.fires),
        `${id} positive`,
      ).toBe(true);
      expect(
        scenarios.some((scenario) => !scenario.fires),
        `${id} negative`,
      ).toBe(true);
    }
  });

  it.each(SCENARIOS.map((scenario) => [scenario.detection, scenario.name, scenario] as const))(
    "%s: %s",
    async (detection, _name, scenario) => {
      const findings = await detect(scenario.records, { config: scenario.config });

      expect(of(findings, detection).length > 0).toBe(scenario.fires);
    },
  );

  it.each(
    SCENARIOS.filter((scenario) => scenario.fires && scenario.loopPreventable !== false).map(
      (scenario) => [scenario.detection, scenario.name, scenario] as const,
    ),
  )("%s stays silent when Riposte's own role did it: %s", async (detection, _name, scenario) => {
    const findings = await detect(scenario.records.map(asRiposte), { config: scenario.config });

    expect(of(findings, detection)).toEqual([]);
  });
});
