import { A } from "@solidjs/router";
import { For, Show } from "solid-js";
import type { ToastsStore } from "../stores/createToasts.js";

/** The toast stack; announced politely to screen readers. */
export function Toasts(props: { toasts: ToastsStore }) {
  return (
    <section class="toasts" aria-label="Notifications" aria-live="polite" role="status">
      <For each={props.toasts.items}>
        {(toast) => (
          <div class="toast" data-tone={toast.tone}>
            <div class="toast-text">
              <strong>{toast.title}</strong>
              <Show when={toast.body}>{(body) => <span class="toast-body">{body()}</span>}</Show>
            </div>
            <Show when={toast.href}>
              {(href) => (
                <A href={href()} class="toast-link" onClick={() => props.toasts.dismiss(toast.id)}>
                  Open
                </A>
              )}
            </Show>
            <button
              type="button"
              class="icon-button"
              aria-label="Dismiss"
              onClick={() => props.toasts.dismiss(toast.id)}
            >
              ×
            </button>
          </div>
        )}
      </For>
    </section>
  );
}
