import { A } from "@solidjs/router";
import { Show } from "solid-js";
import { useApp } from "../context.js";

/**
 * Findings whose workflow could never start (input over the 256 KiB quota, or invalid) are set
 * aside on the server, never retried: a count the operator must see, with where to read why.
 */
export function DeadLetterNotice() {
  const app = useApp();
  const count = () => app.health.health()?.counts?.deadLetteredFindings ?? 0;
  return (
    <Show when={count() > 0}>
      <p class="banner warning" role="status">
        {count() === 1 ? "1 finding" : `${count().toLocaleString("en")} findings`} could not start a workflow (input too
        large or invalid) and {count() === 1 ? "was" : "were"} set aside. <A href="/settings">See why in Settings</A>.
      </p>
    </Show>
  );
}
