import { ACTION_REVERSIBILITY, REMEDIATION_ACTION_IDS } from "../model/actions.js";
import { CATEGORIES } from "../model/catalog.js";
import { CATALOG, type DetectionDefinition } from "./catalog.js";
import { trackerPattern } from "./network/tracker.js";

/**
 * The detection reference (`docs/detections.md`), generated from the catalog so it never drifts:
 * `npx riposte rules list --format markdown > docs/detections.md`. A test fails when the file
 * differs from what the catalog generates.
 */

const CATEGORY_TITLES: Record<string, string> = {
  identity: "Identity",
  logging: "Logging",
  network: "Network",
  storage: "Storage",
  threat: "Threat",
};

const LOOP_TEXT: Record<string, string> = {
  cloudtrail:
    "events whose CloudTrail principal is a session of a role named with `protection.toolRolePrefix` never match.",
  guardduty: "findings about an access key of a role named with `protection.toolRolePrefix` never match.",
  "not-applicable": "not applicable: the events it fires on carry no principal.",
};

/** The security group correlators' deployed rules also take the tracker's events, from anyone. */
const TRACKER_TEXT =
  " Its deployed rule also has a second branch beside the pattern below: the security group tracker's EC2 calls, from every principal, Riposte's own role included (its revocations must close the rules they close). Those calls only update the tracker and never fire, and a rule Riposte's role opened is never the cause of a finding.";

function responseText(definition: DetectionDefinition): string {
  const { mode, action } = definition.response;
  if (definition.id === "guardduty-finding") return `${mode}; the action depends on the finding type`;
  if (definition.id === "securityhub-finding") return `${mode}; the action depends on the control`;
  return action ? `${mode}: \`${action}\`` : `${mode} (no remediation)`;
}

/** The summary table's cell: whether the default response can be undone. */
function reversibleCell(definition: DetectionDefinition): string {
  if (definition.id === "guardduty-finding") return "per action";
  return definition.response.action ? ACTION_REVERSIBILITY[definition.response.action].reversible : "—";
}

/** The section's paragraph: the action's undo, or nothing when the response only notifies. */
function reversibleText(definition: DetectionDefinition): string[] {
  if (definition.id === "guardduty-finding") {
    return [
      "**Reversible.** Depends on the action the finding type maps to: see [Response actions](#response-actions).",
      "",
    ];
  }
  const action = definition.response.action;
  if (!action) return [];
  const { reversible, how } = ACTION_REVERSIBILITY[action];
  return [`**Reversible.** ${reversible} (\`${action}\`): ${how}`, ""];
}

/** Every action and how to undo it. */
function actionsSection(): string[] {
  return [
    "## Response actions",
    "",
    "What each remediation action's change takes to undo. `yes`: the previous state comes back whole (the incident keeps the action's before snapshot and its exact calls); `partly`: something the action ended stays ended.",
    "",
    ...table(
      ["action", "reversible", "how"],
      REMEDIATION_ACTION_IDS.map((id) => [
        `\`${id}\``,
        ACTION_REVERSIBILITY[id].reversible,
        ACTION_REVERSIBILITY[id].how,
      ]),
    ),
  ];
}

/** A Markdown table with padded columns (the layout the project's formatter keeps). */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, index) => Math.max(3, title.length, ...rows.map((row) => row[index]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, index) => cell.padEnd(widths[index]!)).join(" | ")} |`;
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)];
}

function section(definition: DetectionDefinition): string {
  const lines = [
    `### \`${definition.id}\` — ${definition.title}`,
    "",
    ...table(
      ["severity", "ATT&CK", "kind", "default response"],
      [
        [
          definition.severity,
          `[${definition.attack.id}](https://attack.mitre.org/techniques/${definition.attack.id.replace(".", "/")}/) ${definition.attack.name}`,
          definition.stateful ? "stateful (correlated)" : "stateless (one event)",
          responseText(definition),
        ],
      ],
    ),
    "",
    `**What it means.** ${definition.description}`,
    "",
    `**Why it matters.** ${definition.why}`,
    "",
    `**Tuning.** ${definition.tuning}`,
    "",
    ...reversibleText(definition),
    `**Loop prevention.** ${LOOP_TEXT[definition.loopPrevention ?? "cloudtrail"]}${definition.stateful && definition.buildStatePattern === trackerPattern ? TRACKER_TEXT : ""}`,
    "",
    "<details><summary>EventBridge pattern (default configuration)</summary>",
    "",
    "```json",
    JSON.stringify(definition.pattern, null, 2),
    "```",
    "",
    "</details>",
  ];
  return lines.join("\n");
}

/** The whole reference, as Markdown. */
export function renderDetectionReference(): string {
  const out = [
    "# Detection reference",
    "",
    "<!-- Generated from core/detections/catalog.ts by `npx riposte rules list --format markdown`; do not edit. -->",
    "",
    `Riposte ships ${CATALOG.length} detections. Each one is an EventBridge pattern (the same one a deployed rule uses) and, when one event is not enough, a correlator over Riposte's correlation state. Thresholds, windows, ports, keywords, tags and trusted ranges come from the configuration (\`riposte config check\` prints every setting with its default); each detection can be turned off or given another response mode under \`detections.<id>\`.`,
    "",
    ...table(
      ["id", "title", "category", "severity", "ATT&CK", "kind", "default response", "reversible"],
      CATALOG.map((definition) => [
        `[\`${definition.id}\`](#${definition.id}--${anchor(definition.title)})`,
        definition.title,
        definition.category,
        definition.severity,
        definition.attack.id,
        definition.stateful ? "stateful" : "stateless",
        responseText(definition),
        reversibleCell(definition),
      ]),
    ),
  ];
  for (const category of CATEGORIES) {
    out.push("", `## ${CATEGORY_TITLES[category]}`, "");
    out.push(
      CATALOG.filter((definition) => definition.category === category)
        .map(section)
        .join("\n\n"),
    );
  }
  out.push("", ...actionsSection());
  return `${out.join("\n")}\n`;
}

/** GitHub's heading anchor for "`id` — Title" is "id--title" (punctuation dropped, spaces as dashes). */
function anchor(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, "")
    .replace(/ /g, "-");
}
