import { FLOW_SOURCE } from "../../events/flow-logs.js";
import type { SgRule } from "../../model/facts.js";
import { ruleCoversPort, ruleSignature } from "../../risk/sg-rules.js";
import { eventIdOf } from "../draft.js";
import { type Json, quote, str } from "../record.js";
import type { FindingDraft, StatefulDetection } from "../types.js";
import { networkFacts } from "./group-findings.js";
import { NETWORK_TRACKER, trackerPattern } from "./tracker.js";

const PROTOCOL_NAMES: Record<number, string> = { 6: "tcp", 17: "udp" };

function ruleAllowsFlow(rule: SgRule, protocol: number, port: number): boolean {
  if (rule.ipProtocol === "-1" || rule.ipProtocol === "all") return true;
  const name = PROTOCOL_NAMES[protocol];
  if (!name || (rule.ipProtocol !== name && rule.ipProtocol !== String(protocol))) return false;
  return ruleCoversPort(rule, port);
}

export const sgOpenThenConnection: StatefulDetection = {
  id: "sg-open-then-connection",
  title: "Connection through a newly opened rule",
  category: "network",
  severity: "critical",
  attack: { id: "T1133", name: "External Remote Services" },
  stateful: true,
  loopPrevention: "not-applicable",
  description:
    "A VPC flow log shows an ACCEPTed flow from a public address to a port a world-open rule had opened, on a network interface of that group, within `thresholds.sgOpenThenConnection.windowMinutes` (15) minutes after the opening. Interfaces are known from RunInstances and CreateNetworkInterface responses, or described live.",
  why: "The exposure is no longer theoretical: someone on the internet reached the service right after it was opened.",
  tuning:
    "Needs VPC Flow Logs (default format or any format with interface-id, srcaddr, dstport, protocol, start, end and action) in the same input.",
  response: { mode: "auto", action: "revoke-sg-rules" },
  buildPattern: () => ({ source: [FLOW_SOURCE], detail: { action: ["ACCEPT"] } }),
  buildStatePattern: trackerPattern,
  async correlate(event, context, trigger) {
    if (!trigger || event.envelope.source !== FLOW_SOURCE) return [];
    const flow = event.envelope.detail as Json;
    const source = str(flow.srcaddr);
    const interfaceId = str(flow["interface-id"]);
    const port = typeof flow.dstport === "number" ? flow.dstport : undefined;
    const protocol = typeof flow.protocol === "number" ? flow.protocol : undefined;
    if (!source || !interfaceId || port === undefined || protocol === undefined) return [];
    const kind = context.locate(source).kind;
    if (kind !== "public" && kind !== "aws") return [];
    const account = event.envelope.account;
    const known = await context.tracker(NETWORK_TRACKER).interfaceGroups(account, interfaceId, context.now);
    const region = known?.region || event.envelope.region;
    let groupIds = known?.groupIds;
    if (!groupIds && context.describe?.networkInterface && region) {
      try {
        groupIds = (await context.describe.networkInterface(interfaceId, { account, region }))?.groupIds;
      } catch (error) {
        context.logger.warn("describing a network interface failed", { interfaceId, error });
      }
    }
    const start = typeof flow.start === "number" ? flow.start * 1000 : event.epochMs;
    const end = typeof flow.end === "number" ? flow.end * 1000 : start;
    const window = context.config.thresholds.sgOpenThenConnection.windowMinutes * 60_000;
    const findings: FindingDraft[] = [];
    for (const groupId of groupIds ?? []) {
      const group = await context.tracker(NETWORK_TRACKER).group(account, region, groupId, context.now);
      for (const open of group?.open ?? []) {
        if (open.byTool) continue;
        if (!Number.isFinite(open.openedAt) || end < open.openedAt || start > open.openedAt + window) continue;
        if (!ruleAllowsFlow(open.rule, protocol, port)) continue;
        // One finding per opened rule.
        const { added } = await context.state.addToSet(
          `connected|${account}|${region}|${groupId}`,
          [ruleSignature(open.rule)],
          {
            now: context.now,
            expiresAt: open.openedAt + window + 86_400_000,
          },
        );
        if (added.length === 0) continue;
        findings.push({
          time: event.time,
          eventIds: [open.eventId, eventIdOf(event.envelope)].filter(Boolean),
          account,
          region,
          principal: open.principal,
          resource: groupId,
          summary: `${quote(source, 45)} connected to port ${port} on ${quote(interfaceId, 32)} (${quote(groupId, 32)}) ${Math.max(0, Math.round((start - open.openedAt) / 1000))} s after the port was opened to the world`,
          sourceIp: source,
          facts: networkFacts(group!, [open.rule], context, { networkInterfaceIds: [interfaceId], connection: flow }),
          evidence: [event.raw],
        });
      }
    }
    return findings;
  },
};
