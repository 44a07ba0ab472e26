import { parseConfig } from "../../core/config/load.js";
import type { ConfigInput } from "../../core/config/schema.js";
import { silentLogger } from "../../core/log.js";
import type { Incident } from "../../core/model/incident.js";
import { MemoryStore } from "../../core/store/memory.js";
import type { TaskCallbacks } from "../../core/store/ports.js";
import type { TaskDeps } from "../../core/task-deps.js";

/**
 * Builders shared by the enrich/score/notify/approval tests: a realistic incident and the task
 * deps around a memory store, with a fixed clock and recorded task callbacks.
 */

export const FIXED_NOW = new Date("2026-03-10T14:30:00.000Z");

export function makeIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: "sg-ssh-open-world-0123456789abcdef0123",
    detection: "sg-ssh-open-world",
    category: "network",
    severity: "high",
    title: "SSH opened to the world on sg-0a1b2c3d",
    time: "2026-03-10T14:29:00.000Z",
    eventIds: ["0b7d5c4e-1111-2222-3333-444455556666"],
    account: "123456789012",
    region: "us-east-1",
    principal: "arn:aws:iam::123456789012:user/alice",
    resource: "sg-0a1b2c3d",
    summary: "alice authorised 0.0.0.0/0 on tcp/22 of sg-0a1b2c3d",
    sourceIp: "8.8.8.8",
    userAgent: "aws-cli/2.15.0 Python/3.11",
    facts: {
      groupId: "sg-0a1b2c3d",
      groupName: "web",
      vpcId: "vpc-1234",
      rules: [{ ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" }],
      principalType: "IAMUser",
      userName: "alice",
    },
    evidence: [],
    status: "NEW",
    version: 1,
    createdAt: "2026-03-10T14:29:30.000Z",
    updatedAt: "2026-03-10T14:29:30.000Z",
    mode: "dry-run",
    actions: [],
    approvals: [],
    transitions: [{ from: null, to: "NEW", at: "2026-03-10T14:29:30.000Z", by: "open" }],
    ...overrides,
  };
}

export interface RecordedCallbacks extends TaskCallbacks {
  successes: { token: string; output: unknown }[];
  failures: { token: string; error: string; cause?: string }[];
}

export function recordingCallbacks(): RecordedCallbacks {
  const successes: RecordedCallbacks["successes"] = [];
  const failures: RecordedCallbacks["failures"] = [];
  return {
    successes,
    failures,
    async sendTaskSuccess(token, output) {
      successes.push({ token, output });
    },
    async sendTaskFailure(token, error, cause) {
      failures.push({ token, error, cause });
    },
    async sendTaskHeartbeat() {},
  };
}

export interface TestDeps extends TaskDeps {
  store: MemoryStore;
  callbacks: RecordedCallbacks;
}

export function makeDeps(options: { config?: ConfigInput; overrides?: Partial<TaskDeps> } = {}): TestDeps {
  return {
    config: parseConfig(options.config ?? {}),
    store: new MemoryStore(),
    logger: silentLogger,
    now: () => FIXED_NOW,
    aws: { region: "us-east-1", maxAttempts: 1 },
    mode: "dry-run",
    secrets: {},
    callbacks: recordingCallbacks(),
    ...options.overrides,
  } as TestDeps;
}
