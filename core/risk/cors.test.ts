import { describe, expect, it } from "vitest";
import { allowsAnyOrigin, isPermissiveRule, normalizeCors } from "./cors.js";

describe("S3 CORS exposure", () => {
  it("reads CloudTrail's singular keys and the SDK's plural ones alike", () => {
    const trail = normalizeCors({
      CORSConfiguration: { CORSRule: { AllowedOrigin: "*", AllowedMethod: ["GET"], MaxAgeSeconds: "300" } },
    });
    const sdk = normalizeCors({ CORSRules: [{ AllowedOrigins: ["https://a.example"], AllowedMethods: ["GET"] }] });

    expect(trail).toEqual([{ AllowedOrigins: ["*"], AllowedMethods: ["GET"], MaxAgeSeconds: 300 }]);
    expect(sdk?.[0]?.AllowedOrigins).toEqual(["https://a.example"]);
    expect(normalizeCors({ CORSRules: [{ AllowedMethods: ["GET"] }] })).toBeUndefined();
  });

  it.each([
    [["*"], true],
    [["https://*"], true],
    [["http://*"], true],
    [[" * "], true],
    // Detection's pattern was case-sensitive, remediation's not: an odd spelling is never read as safe.
    [["HTTPS://*"], true],
    [["https://*.example.com"], false],
    [["https://app.example.com"], false],
    [["*.example.com"], false],
  ])("origins %j permissive: %s", (origins, expected) => {
    expect(isPermissiveRule({ AllowedOrigins: origins, AllowedMethods: ["GET"] })).toBe(expected);
    expect(allowsAnyOrigin({ AllowedOrigin: origins, AllowedMethod: "GET" })).toBe(expected);
  });
});
