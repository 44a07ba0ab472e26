import { fireEvent, render, screen } from "@solidjs/testing-library";
import { createSignal } from "solid-js";
import { describe, expect, it, vi } from "vitest";
import type { ConnectionState, LiveConnection } from "../stores/createLiveConnection.js";
import { ConnectionIndicator } from "./ConnectionIndicator.js";

function fakeLive(state: ConnectionState, retryAt?: number) {
  const [current] = createSignal(state);
  const reconnectNow = vi.fn();
  const live = {
    state: current,
    retryAt: () => retryAt,
    failures: () => 2,
    lastMessageAt: () => undefined,
    subscribe: () => () => {},
    onOpen: () => () => {},
    onRejected: () => () => {},
    reconnectNow,
  } satisfies LiveConnection;
  return { live, reconnectNow };
}

describe("ConnectionIndicator", () => {
  it("counts down to the next attempt and retries on demand", () => {
    const { live, reconnectNow } = fakeLive("reconnecting", 10_000);

    render(() => <ConnectionIndicator live={live} now={() => 5_500} />);
    fireEvent.click(screen.getByRole("button", { name: "Retry now" }));

    expect(screen.getByRole("status")).toHaveTextContent("Reconnecting");
    expect(screen.getByText("in 5 s")).toBeInTheDocument();
    expect(reconnectNow).toHaveBeenCalledOnce();
  });

  it("offers no retry while live", () => {
    render(() => <ConnectionIndicator live={fakeLive("open").live} />);

    expect(screen.getByRole("status")).toHaveTextContent("Live");
    expect(screen.queryByRole("button")).not.toBeInTheDocument();
  });
});
