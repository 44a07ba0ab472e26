import { For, Show } from "solid-js";
import type { ApprovalRecord, Transition } from "../../../../core/model/incident.js";
import { formatTime } from "../../lib/format.js";
import { StatusBadge } from "../Badges.js";

/** Who approved or rejected, how, when, and what they said. */
export function ApprovalsList(props: { approvals: ApprovalRecord[] }) {
  return (
    <Show when={props.approvals.length} fallback={<p class="muted">No approvals recorded.</p>}>
      {/* Scrolls sideways on a phone instead of squeezing names to a letter per line; focusable so keyboards can scroll it. */}
      <section class="table-scroll" tabindex="0" aria-label="Approvals table">
        <table class="table approvals">
          <thead>
            <tr>
              <th scope="col">Decision</th>
              <th scope="col">By</th>
              <th scope="col">Via</th>
              <th scope="col">When</th>
              <th scope="col">Comment</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.approvals}>
              {(approval) => (
                <tr>
                  <td>
                    <span class="badge decision" data-decision={approval.decision}>
                      {approval.decision}
                    </span>
                  </td>
                  <td class="break">{approval.approver}</td>
                  <td>{approval.via}</td>
                  <td>
                    <time datetime={approval.at}>{formatTime(approval.at)}</time>
                  </td>
                  <td class="break">{approval.comment ?? ""}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </section>
    </Show>
  );
}

/** Every status change, with who made it and why. */
export function TransitionsList(props: { transitions: Transition[] }) {
  return (
    <ol class="transitions">
      <For each={props.transitions}>
        {(transition) => (
          <li>
            <time datetime={transition.at}>{formatTime(transition.at)}</time>{" "}
            <Show when={transition.from}>
              {(from) => (
                <>
                  <StatusBadge status={from()} /> →{" "}
                </>
              )}
            </Show>
            <StatusBadge status={transition.to} /> <span class="muted">by {transition.by}</span>
            <Show when={transition.reason}>
              <span> — {transition.reason}</span>
            </Show>
          </li>
        )}
      </For>
    </ol>
  );
}
