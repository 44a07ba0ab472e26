import { MemoryRouter, Route } from "@solidjs/router";
import { fireEvent, render, screen } from "@solidjs/testing-library";
import { createRoot } from "solid-js";
import { describe, expect, it, vi } from "vitest";
import { createToasts } from "../stores/createToasts.js";
import { Toasts } from "./Toasts.js";

describe("Toasts", () => {
  it("keeps the newest few, dismisses on click and expires on its own", () => {
    vi.useFakeTimers();
    const toasts = createRoot(() => createToasts({ durationMs: 5000, max: 2 }));
    render(() => (
      <MemoryRouter root={() => <Toasts toasts={toasts} />}>
        <Route path="/" component={() => null} />
      </MemoryRouter>
    ));

    toasts.push({ tone: "warning", title: "first" });
    toasts.push({ tone: "danger", title: "second", body: "<b>not bold</b>" });
    toasts.push({ tone: "info", title: "third" });

    expect(screen.queryByText("first")).not.toBeInTheDocument();
    expect(screen.getByText("<b>not bold</b>")).toBeInTheDocument();
    fireEvent.click(screen.getAllByRole("button", { name: "Dismiss" })[0]!);
    expect(screen.queryByText("third")).not.toBeInTheDocument();
    vi.advanceTimersByTime(5000);
    expect(screen.queryByText("second")).not.toBeInTheDocument();
    vi.useRealTimers();
  });
});
