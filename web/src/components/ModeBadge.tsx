import { Match, Switch } from "solid-js";
import type { HealthResponse } from "../../../core/model/api.js";

/** The remediation mode, always visible: an operator must know whether approvals change AWS. */
export function ModeBadge(props: { health?: HealthResponse; unreachable?: boolean }) {
  return (
    <span class="mode-badge" data-mode={props.health?.remediation ?? "unknown"}>
      <Switch fallback={props.unreachable ? "Server unreachable" : "Mode unknown"}>
        <Match when={props.health?.remediation === "dry-run"}>
          <strong>DRY-RUN</strong> no AWS changes
        </Match>
        <Match when={props.health?.remediation === "live"}>
          <strong>LIVE</strong> remediation changes AWS
        </Match>
        <Match when={props.health?.remediation === "off"}>
          <strong>OFF</strong> remediation disabled
        </Match>
      </Switch>
    </span>
  );
}
