import type { Severity } from "../../../core/model/catalog.js";
import type { IncidentStatus } from "../../../core/model/status.js";
import { humanize } from "../lib/format.js";

/** Status and severity badges: colour plus text, so meaning never rests on colour alone. */

export function StatusBadge(props: { status: IncidentStatus }) {
  return (
    <span class="badge status" data-status={props.status}>
      {humanize(props.status)}
    </span>
  );
}

export function SeverityBadge(props: { severity: Severity }) {
  return (
    <span class="badge severity" data-severity={props.severity}>
      {props.severity}
    </span>
  );
}

export function ModeTag(props: { mode: string }) {
  return (
    <span class="badge mode" data-mode={props.mode}>
      {props.mode}
    </span>
  );
}
