import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GATEWAY_THROTTLING, throttledStage } from "./gateways.js";

const root = join(import.meta.dirname, "..");

describe("gateway throttling", () => {
  it.each(["http", "websocket"] as const)("throttles every route of the %s stage", (kind) => {
    const args: { defaultRouteSettings?: unknown } = { defaultRouteSettings: { detailedMetricsEnabled: true } };

    throttledStage(kind)(args);

    expect(args.defaultRouteSettings).toEqual({ detailedMetricsEnabled: true, ...GATEWAY_THROTTLING[kind] });
    const { throttlingRateLimit, throttlingBurstLimit } = GATEWAY_THROTTLING[kind];
    expect(throttlingRateLimit).toBeGreaterThan(0);
    expect(throttlingBurstLimit).toBeGreaterThanOrEqual(throttlingRateLimit);
  });

  it("is applied to both gateways the stacks create", () => {
    const stack = readFileSync(join(root, "stacks", "gateways.ts"), "utf8");

    const created = (component: string) => stack.split("new sst.aws.").find((part) => part.startsWith(component)) ?? "";

    expect(created("ApiGatewayV2(")).toContain('transform: { stage: throttledStage("http") }');
    expect(created("ApiGatewayWebSocket(")).toContain('transform: { stage: throttledStage("websocket") }');
  });
});
