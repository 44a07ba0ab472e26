import { isToolRuleName } from "../../model/rule-names.js";
import { declareDetection, request, response } from "../declare.js";
import { accountOf, identityFacts, int, type Json, list, principalOf, quote, str } from "../record.js";

const VERBS: Record<string, string> = {
  DisableRule: "disabled",
  DeleteRule: "deleted",
  RemoveTargets: "removed targets from",
};

/** The bus's name from `eventBusName` (a name or an event bus ARN); the default bus when absent. */
function busName(eventBusName: string): string {
  if (!eventBusName) return "default";
  const at = eventBusName.indexOf(":event-bus/");
  return at >= 0 ? eventBusName.slice(at + ":event-bus/".length) : eventBusName;
}

function ruleArn(record: Json, bus: string, rule: string): string {
  const path = bus === "default" ? rule : `${bus}/${rule}`;
  return `arn:aws:events:${str(record.awsRegion)}:${accountOf(record)}:rule/${path}`;
}

export const eventbridgeRuleDisabled = declareDetection({
  id: "eventbridge-rule-disabled",
  title: "EventBridge rule disabled or deleted",
  category: "logging",
  severity: "medium",
  attack: { id: "T1562.001", name: "Impair Defenses: Disable or Modify Tools" },
  asff: ["TTPs/Defense Evasion"],
  description:
    "An EventBridge rule stopped delivering events: events:DisableRule, DeleteRule or RemoveTargets (EventBridge's own calls, not the load balancer or WAF calls of the same names). Critical when the rule is one of Riposte's own; a RemoveTargets whose every target failed to be removed does not fire.",
  why: "EventBridge rules carry security events to the tools that act on them — Riposte's own detections among them. Disabling or deleting a rule, or removing its targets, silently cuts that path: whatever happens next is never seen.",
  tuning:
    "Riposte's rules are recognised by the names its stacks give them, `<stage>-riposte-<detection>` (and `<stage>-riposte-forward` in watched regions), for any stage; a change to one of them is critical. Deploying or removing Riposte's own stacks deletes and updates those rules too: deploy from a role named with `protection.toolRolePrefix`, or acknowledge the finding. Changes to other rules (infrastructure as code, AWS services managing their rules) are medium: acknowledge the expected ones. The finding names the rule (`ruleName`), its bus (`eventBusName`) and, for RemoveTargets, the target ids.",
  response: { mode: "auto", action: "eventbridge-enable-rule" },
  calls: [{ source: "aws.events", names: ["DisableRule", "DeleteRule", "RemoveTargets"] }],
  match: (record) => {
    const eventName = str(record.eventName);
    const ruleName = str(request(record, eventName === "RemoveTargets" ? "rule" : "name"));
    const eventBusName = busName(str(request(record, "eventBusName")));
    const targetIds = list(request(record, "ids")).filter((id): id is string => typeof id === "string");
    if (eventName === "RemoveTargets") {
      // The call succeeds even when no target could be removed; it then lists every one as failed.
      const failed = int(response(record, "failedEntryCount")) ?? 0;
      if (targetIds.length > 0 && failed >= targetIds.length) return undefined;
    }
    const toolRule = isToolRuleName(ruleName);
    const bus = eventBusName === "default" ? "" : ` on bus ${quote(eventBusName, 60)}`;
    const whose = toolRule ? "Riposte's EventBridge rule" : "EventBridge rule";
    return {
      resource: ruleArn(record, eventBusName, ruleName),
      summary: `${quote(principalOf(record))} ${VERBS[eventName] ?? eventName} ${whose} ${quote(ruleName || "unknown", 80)}${bus}`,
      facts: {
        eventName,
        ...identityFacts(record),
        ruleName,
        eventBusName,
        toolRule,
        ...(eventName === "RemoveTargets" ? { targetIds } : {}),
      },
      ...(toolRule ? { severity: "critical" as const } : {}),
    };
  },
});
