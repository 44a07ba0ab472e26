import { describe, expect, it } from "vitest";
import { SCENARIOS } from "../../test/fixtures/events/scenarios.js";
import { parseConfig } from "../config/load.js";
import { normalizeRecords } from "../events/index.js";
import { callsOf } from "../patterns/pattern-index.js";
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

  it("makes no pattern until the index is first used (a scan's engine thread never uses it), then each once", () => {
    const plain = enabledSpecs(config);
    const withCalls = new Set(plain.filter((spec) => callsOf(spec.buildPattern(config))).map((spec) => spec.id));
    expect(withCalls.size).toBeGreaterThan(0);
    expect(withCalls.size).toBeLessThan(plain.length);
    const made = new Map<string, number>();
    const specs = plain.map((spec) => ({
      ...spec,
      buildPattern: (at: typeof config) => {
        made.set(spec.id, (made.get(spec.id) ?? 0) + 1);
        return spec.buildPattern(at);
      },
    }));
    const { index } = buildEngineIndex(specs, config, [], {
      deferByCall: true,
    });
    expect(made.size).toBe(0);

    index.prepare();
    // At the first use each trigger's own pattern is read once for its calls; one with none is
    // then made (its pattern read again, loop prevention merged in) and compiled; one about calls
    // no event brought yet is made later, once.
    for (const spec of specs) expect(made.get(spec.id), spec.id).toBe(withCalls.has(spec.id) ? 1 : 2);
    for (const scenario of SCENARIOS.slice(0, 20))
      for (const event of normalizeRecords(scenario.records).events) index.match(event.envelope);
    index.prepareAll();
    for (const spec of specs) expect(made.get(spec.id), spec.id).toBe(2);
  });
});
