import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../core/config/load.js";
import { configuredSources, regionOfQueueUrl, SourceConfigError } from "./index.js";
import { openSourceHarness, type SourceHarness } from "./testing.js";

const harnesses: SourceHarness[] = [];
afterEach(() => {
  for (const harness of harnesses.splice(0)) harness.close();
});

function context() {
  const harness = openSourceHarness();
  harnesses.push(harness);
  return harness.context;
}

describe("configured live sources", () => {
  it("builds none by default", () => {
    expect(configuredSources(parseConfig({}), context(), {})).toEqual([]);
  });

  it("builds the watched directory, the queue and the poll the configuration names, in that order", () => {
    const dir = mkdtempSync(join(tmpdir(), "riposte-sources-"));
    const config = parseConfig({
      sources: {
        watch: { dir },
        sqs: { queueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/riposte-events" },
        cloudtrailPoll: { enabled: true, regions: ["eu-west-1", "us-east-1"] },
      },
    });

    const sources = configuredSources(config, context(), {});

    expect(sources.map((source) => source.name)).toEqual([
      `watch ${resolve(dir)}`,
      "sqs riposte-events",
      "cloudtrail-poll eu-west-1,us-east-1",
    ]);
    expect(sources.map((source) => source.status())).toEqual([
      { name: `watch ${resolve(dir)}`, lagSeconds: 0 },
      { name: "sqs riposte-events", lagSeconds: 0 },
      { name: "cloudtrail-poll eu-west-1,us-east-1", lagSeconds: 0 },
    ]);
  });

  it("refuses a watched path that is not a directory, naming the setting and the flag", () => {
    const file = join(mkdtempSync(join(tmpdir(), "riposte-sources-")), "trail.json");
    writeFileSync(file, "{}");

    for (const dir of [file, join(tmpdir(), "riposte-no-such-directory")]) {
      const build = () => configuredSources(parseConfig({ sources: { watch: { dir } } }), context(), {});
      expect(build).toThrow(SourceConfigError);
      expect(build).toThrow(`sources.watch.dir (--watch): ${dir} is not a directory`);
    }
  });

  it("needs a region for a queue URL that does not carry one, and for polling without regions", () => {
    const queue = parseConfig({ sources: { sqs: { queueUrl: "http://127.0.0.1:4566/000000000000/events" } } });
    const poll = parseConfig({ sources: { cloudtrailPoll: { enabled: true } } });

    expect(() => configuredSources(queue, context(), {})).toThrow("sources.sqs.queueUrl (--sqs-url): set AWS_REGION");
    expect(() => configuredSources(poll, context(), {})).toThrow(
      "sources.cloudtrailPoll (--cloudtrail-poll): set AWS_REGION",
    );
    expect(configuredSources(queue, context(), { region: "us-east-1" })).toHaveLength(1);
    expect(configuredSources(poll, context(), { region: "us-east-1" })[0]?.name).toBe("cloudtrail-poll us-east-1");
  });

  it("reads the region of standard queue URLs only", () => {
    expect(regionOfQueueUrl("https://sqs.eu-west-1.amazonaws.com/123456789012/q")).toBe("eu-west-1");
    expect(regionOfQueueUrl("https://sqs.us-gov-west-1.amazonaws.com/123456789012/q")).toBe("us-gov-west-1");
    expect(regionOfQueueUrl("https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q")).toBe("cn-north-1");
    expect(regionOfQueueUrl("https://queue.amazonaws.com/123456789012/q")).toBeUndefined();
    expect(regionOfQueueUrl("https://sqs.eu-west-1.amazonaws.com.evil.example/123456789012/q")).toBeUndefined();
  });
});
