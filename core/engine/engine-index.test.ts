import { describe, expect, it } from "vitest";
import { SCENARIOS } from "../../test/fixtures/events/scenarios.js";
import { parseConfig } from "../config/load.js";
import { normalizeRecords } from "../events/index.js";
import { buildEngineIndex, enabledSpecs } from "./engine-index.js";

const config = parseConfig({});

describe("buildEngineIndex with deferByCall (a scan's reader threads)", () => {
  it("matches every scenario record as the index that compiles every pattern at once", () => {
    const eager = buildEngineIndex(enabledSpecs(config), config);
    const deferred = buildEngineIndex(enabledSpecs(config), config, [], { deferByCall: true });
    eager.index.prepare();
    deferred.index.prepare();
    expect(deferred.signature).toBe(eager.signature);
    const envelopes = SCENARIOS.flatMap((scenario) =>
      normalizeRecords(scenario.records).events.map((event) => event.envelope),
    );
    expect(envelopes.length).toBeGreaterThan(200);
    let matched = 0;
    for (const envelope of envelopes) {
      const ids = eager.index.match(envelope).map((entry) => entry.id);
      matched += ids.length;
      expect(deferred.index.match(envelope).map((entry) => entry.id)).toEqual(ids);
    }
    expect(matched).toBeGreaterThan(envelopes.length);
  });
});
