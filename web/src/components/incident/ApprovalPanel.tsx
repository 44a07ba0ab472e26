import { createSignal, For, Show } from "solid-js";
import type { ApprovalRequest, ApprovalResponse } from "../../../../core/model/api.js";
import type { Incident } from "../../../../core/model/incident.js";

/**
 * Approve or reject a pending remediation, with a comment. Says plainly what approving does and
 * in which mode, and reports the server's answer (e.g. someone decided first, from Slack).
 */
export function ApprovalPanel(props: {
  incident: Incident;
  remediation?: string;
  decide: (request: ApprovalRequest) => Promise<ApprovalResponse>;
  onDecided?: (response: ApprovalResponse) => void;
}) {
  const [comment, setComment] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string>();
  const [done, setDone] = createSignal<ApprovalResponse>();

  const submit = async (decision: ApprovalRequest["decision"]) => {
    setBusy(true);
    setError(undefined);
    try {
      const text = comment().trim();
      const response = await props.decide(text ? { decision, comment: text } : { decision });
      setDone(response);
      props.onDecided?.(response);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card approval" aria-labelledby="approval-heading">
      <h2 id="approval-heading">{done() ? "Approval recorded" : "Approval needed"}</h2>
      <Show
        when={!done()}
        fallback={
          <p role="status">
            {done()?.decision === "approve" ? "Approved" : "Rejected"} by {done()?.approver}. The workflow continues.
          </p>
        }
      >
        <p>{props.incident.decision?.reason ?? "This remediation needs a person's approval."}</p>
        <Show when={props.incident.decision?.plan.length}>
          <p>Approving will:</p>
          <ul>
            <For each={props.incident.decision?.plan ?? []}>{(action) => <li>{action.description}</li>}</For>
          </ul>
        </Show>
        <p class="mode-note" data-mode={props.remediation ?? props.incident.mode}>
          {(props.remediation ?? props.incident.mode) === "live"
            ? "Live mode: approving changes your AWS account."
            : "Dry-run: approving records the calls but sends none."}
        </p>
        <label class="field">
          <span>Comment (recorded in the audit trail)</span>
          <textarea
            rows={3}
            maxLength={1000}
            value={comment()}
            onInput={(event) => setComment(event.currentTarget.value)}
          />
        </label>
        <div class="button-row">
          <button type="button" class="button primary" disabled={busy()} onClick={() => submit("approve")}>
            Approve
          </button>
          <button type="button" class="button danger" disabled={busy()} onClick={() => submit("reject")}>
            Reject
          </button>
        </div>
        <Show when={error()}>
          <p class="error-text" role="alert">
            {error()}
          </p>
        </Show>
      </Show>
    </section>
  );
}
