import type { Suppression } from "../../../../core/model/exception.js";
import { describeScope } from "../../../../core/model/exception.js";
import { formatTime } from "../../lib/format.js";

/**
 * Why an incident is SUPPRESSED: the time-boxed exception that covered it, with its owner, reason
 * and expiry. Every field is rendered as text (scope and reason may hold attacker text).
 */
export function SuppressedNotice(props: { suppression: Suppression }) {
  return (
    <section class="card suppressed-notice" aria-labelledby="suppressed-heading">
      <h3 id="suppressed-heading">Suppressed by exception</h3>
      <p>
        <span class="mono">{props.suppression.exceptionId}</span> · {describeScope(props.suppression.scope)}
      </p>
      <p class="muted">
        Owner {props.suppression.owner} · until{" "}
        <time datetime={props.suppression.expiresAt}>{formatTime(props.suppression.expiresAt)}</time>
      </p>
      <p>{props.suppression.reason}</p>
      <p class="muted">Recorded without a notice or a remediation while the exception held.</p>
    </section>
  );
}
