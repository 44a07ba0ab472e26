import { createSignal, onCleanup, Show } from "solid-js";
import type { ConnectionState, LiveConnection } from "../stores/createLiveConnection.js";

const LABELS: Record<ConnectionState, string> = {
  open: "Live",
  connecting: "Connecting…",
  idle: "Not connected",
  reconnecting: "Reconnecting",
};

/**
 * The live connection's state in words and colour, with a countdown and "retry now" while
 * reconnecting. Only the state word is announced; the ticking countdown is not.
 */
export function ConnectionIndicator(props: { live: LiveConnection; now?: () => number }) {
  const clock = props.now ?? Date.now;
  const [tick, setTick] = createSignal(clock());
  const timer = setInterval(() => setTick(clock()), 1000);
  onCleanup(() => clearInterval(timer));
  const secondsLeft = () => {
    const due = props.live.retryAt();
    return due === undefined ? 0 : Math.max(0, Math.ceil((due - tick()) / 1000));
  };
  return (
    <div class="connection" data-state={props.live.state()}>
      <span class="dot" aria-hidden="true" />
      <span role="status" aria-live="polite" data-testid="connection-state">
        {LABELS[props.live.state()]}
      </span>
      <Show when={props.live.state() === "reconnecting"}>
        <span aria-hidden="true" class="muted">
          {secondsLeft() > 0 ? ` in ${secondsLeft()} s` : "…"}
        </span>
        <button type="button" class="link-button" onClick={() => props.live.reconnectNow()}>
          Retry now
        </button>
      </Show>
    </div>
  );
}
