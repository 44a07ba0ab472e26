import { For, Show } from "solid-js";
import type { AppliedAction, AwsCall, Decision, PlannedAction, VerifyResult } from "../../../../core/model/incident.js";
import { formatTime, humanize } from "../../lib/format.js";
import { JsonBlock } from "../JsonBlock.js";

function Calls(props: { calls: AwsCall[] }) {
  return (
    <ol class="calls">
      <For each={props.calls}>
        {(call) => (
          <li>
            <code class="call-name">
              {call.service}:{call.operation}
            </code>
            <Show when={call.region || call.account}>
              <span class="muted"> {[call.account, call.region].filter(Boolean).join(" / ")}</span>
            </Show>
            <JsonBlock label="Parameters" value={call.params} />
          </li>
        )}
      </For>
    </ol>
  );
}

function ActionHeader(props: { action: PlannedAction }) {
  return (
    <>
      <p class="action-description">{props.action.description}</p>
      <p class="muted">
        <code>{props.action.action}</code> on <span class="mono break">{props.action.target}</span>
        <Show when={props.action.destructive}>
          {" "}
          <span class="badge danger">destructive</span>
        </Show>
      </p>
    </>
  );
}

/** The decision, the planned AWS calls, and what was applied with before/after snapshots. */
export function ActionsSection(props: { decision?: Decision; actions: AppliedAction[]; verification?: VerifyResult }) {
  return (
    <div class="stack">
      <section aria-labelledby="decision-heading">
        <h3 id="decision-heading">Decision</h3>
        <Show when={props.decision} fallback={<p class="muted">No decision yet.</p>}>
          {(decision) => (
            <p>
              <span class="badge route" data-route={decision().route}>
                {humanize(decision().route)}
              </span>{" "}
              {decision().reason}
              <Show when={decision().approval}>
                {(approval) => (
                  <span class="muted">
                    {" "}
                    · approval times out after {Math.round(approval().timeoutSeconds / 60)} min, then{" "}
                    {approval().onTimeout === "approve" ? "proceeds" : "is rejected"}
                  </span>
                )}
              </Show>
            </p>
          )}
        </Show>
      </section>
      <section aria-labelledby="planned-heading">
        <h3 id="planned-heading">Planned AWS calls</h3>
        <Show when={props.decision?.plan.length} fallback={<p class="muted">No remediation planned.</p>}>
          <For each={props.decision?.plan ?? []}>
            {(action) => (
              <article class="action">
                <ActionHeader action={action} />
                <Calls calls={action.calls} />
                <Show when={action.permissions.length}>
                  <p class="muted">
                    Needs: <span class="mono">{action.permissions.join(", ")}</span>
                  </p>
                </Show>
              </article>
            )}
          </For>
        </Show>
      </section>
      <section aria-labelledby="applied-heading">
        <h3 id="applied-heading">Applied</h3>
        <Show when={props.actions.length} fallback={<p class="muted">Nothing applied.</p>}>
          <For each={props.actions}>
            {(action) => (
              <article class="action" data-outcome={action.outcome}>
                <ActionHeader action={action} />
                <p>
                  <span class="badge outcome" data-outcome={action.outcome}>
                    {action.outcome}
                  </span>{" "}
                  <Show when={action.mode !== action.outcome}>
                    <span class="badge mode" data-mode={action.mode}>
                      {action.mode}
                    </span>{" "}
                  </Show>
                  <time datetime={action.at}>{formatTime(action.at)}</time>
                </p>
                <Show when={action.error}>
                  <p class="error-text">{action.error}</p>
                </Show>
                <Calls calls={action.calls} />
                <div class="snapshots">
                  <Show when={action.before !== undefined}>
                    <JsonBlock label="Before" value={action.before} />
                  </Show>
                  <Show when={action.after !== undefined}>
                    <JsonBlock label="After" value={action.after} />
                  </Show>
                </div>
              </article>
            )}
          </For>
        </Show>
      </section>
      <Show when={props.verification}>
        {(verification) => (
          <section aria-labelledby="verify-heading">
            <h3 id="verify-heading">Verification: {verification().verified ? "risk gone" : "risk remains"}</h3>
            <ul class="checks">
              <For each={verification().checks}>
                {(check) => (
                  <li data-ok={check.ok}>
                    <span aria-hidden="true">{check.ok ? "✓" : "✗"}</span> {check.name}
                    <span class="sr-only">{check.ok ? " passed" : " failed"}</span>
                    <Show when={check.detail}>
                      <span class="muted"> — {check.detail}</span>
                    </Show>
                  </li>
                )}
              </For>
            </ul>
          </section>
        )}
      </Show>
    </div>
  );
}
