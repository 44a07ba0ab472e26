import { describe, expect, it } from "vitest";
import { CATEGORIES, categoryOf, DETECTION_IDS, DETECTION_IDS_BY_CATEGORY, isDetectionId } from "./catalog.js";

describe("detection catalog ids", () => {
  it("has unique, kebab-case public ids", () => {
    expect(new Set(DETECTION_IDS).size).toBe(DETECTION_IDS.length);
    for (const id of DETECTION_IDS) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it("maps each id back to its category", () => {
    for (const category of CATEGORIES) {
      for (const id of DETECTION_IDS_BY_CATEGORY[category]) expect(categoryOf(id)).toBe(category);
    }
    expect(isDetectionId("guardduty-finding")).toBe(true);
    expect(isDetectionId("made-up")).toBe(false);
  });
});
