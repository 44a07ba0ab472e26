import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isProtectedStage } from "./stages.js";

const root = join(import.meta.dirname, "..");

describe("isProtectedStage", () => {
  it("protects prod and production, alone or as a name's start, and nothing else", () => {
    for (const stage of ["prod", "production", "prod-eu", "production-2"])
      expect(isProtectedStage(stage), stage).toBe(true);
    for (const stage of ["dev", "staging", "pr-12", "typecheck", "products", "preprod", "my-prod", ""]) {
      expect(isProtectedStage(stage), stage).toBe(false);
    }
  });

  it("protects the stage the README deploys", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const deployed = [...readme.matchAll(/npx sst deploy --stage (\S+)/g)].map((match) => match[1]!);

    expect(deployed.length).toBeGreaterThan(0);
    for (const stage of deployed) expect(isProtectedStage(stage), stage).toBe(true);
  });

  it("is the rule sst.config.ts applies, with no stage name of its own", () => {
    const app = readFileSync(join(root, "sst.config.ts"), "utf8");

    expect(app).toMatch(/await import\("\.\/infra\/stages"\)/);
    expect(app).toMatch(/isProtectedStage\(/);
    expect(app).not.toMatch(/"prod(uction)?"/);
  });
});
