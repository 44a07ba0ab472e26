import { declareDetection, request } from "../declare.js";
import { identityFacts, principalOf, quote, str } from "../record.js";

export const configRecordingStopped = declareDetection({
  id: "config-recording-stopped",
  title: "AWS Config recording stopped",
  category: "logging",
  severity: "high",
  attack: { id: "T1562.008", name: "Impair Defenses: Disable or Modify Cloud Logs" },
  asff: ["TTPs/Defense Evasion"],
  description:
    "AWS Config stopped recording configuration changes: config:StopConfigurationRecorder, or the recorder (DeleteConfigurationRecorder) or its delivery channel (DeleteDeliveryChannel) deleted.",
  why: "Config keeps the history of every resource's configuration and runs the Config rules (Riposte's `config-sg-open-to-world` among them). With recording stopped, the changes an attacker makes next are neither recorded nor evaluated.",
  tuning:
    "Stopping or removing Config on purpose (a region retired, a recorder replaced) fires too: acknowledge it, or make the change from a role named with `protection.toolRolePrefix`. The finding names the recorder (`recorderName`) or the delivery channel (`deliveryChannelName`); a stopped recorder can be started again, a deleted one must be recreated.",
  response: { mode: "auto", action: "config-start-recorder" },
  calls: [
    {
      source: "aws.config",
      names: ["StopConfigurationRecorder", "DeleteConfigurationRecorder", "DeleteDeliveryChannel"],
    },
  ],
  match: (record) => {
    const eventName = str(record.eventName);
    const actor = quote(principalOf(record));
    if (eventName === "DeleteDeliveryChannel") {
      const deliveryChannelName = str(request(record, "deliveryChannelName"));
      return {
        resource: deliveryChannelName || "delivery channel",
        summary: `${actor} deleted AWS Config delivery channel ${quote(deliveryChannelName || "unknown", 80)}`,
        facts: { eventName, ...identityFacts(record), deliveryChannelName },
      };
    }
    const recorderName = str(request(record, "configurationRecorderName"));
    const verb = eventName === "StopConfigurationRecorder" ? "stopped" : "deleted";
    return {
      resource: recorderName || "configuration recorder",
      summary: `${actor} ${verb} AWS Config recorder ${quote(recorderName || "unknown", 80)}`,
      facts: { eventName, ...identityFacts(record), recorderName },
    };
  },
});
