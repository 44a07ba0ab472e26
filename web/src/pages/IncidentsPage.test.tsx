import { fireEvent, screen, waitFor } from "@solidjs/testing-library";
import { describe, expect, it } from "vitest";
import type { IncidentSummary } from "../../../core/model/incident.js";
import { FakeSocket } from "../test/fakeServer.js";
import { summary } from "../test/fixtures.js";
import { renderApp } from "../test/renderApp.js";

const renderedIds = () => [...document.querySelectorAll<HTMLElement>("li[data-id]")].map((row) => row.dataset.id);

function many(count: number): IncidentSummary[] {
  const severities = ["info", "low", "medium", "high", "critical"] as const;
  return Array.from({ length: count }, (_, index) =>
    summary({
      id: `bulk-${index}`,
      title: `Incident number ${index}`,
      severity: severities[index % 5],
      status: index % 2 ? "MITIGATED" : "NEW",
      createdAt: new Date(Date.UTC(2026, 2, 1) + index * 1000).toISOString(),
    }),
  );
}

describe("IncidentsPage", () => {
  it("filters by status chip and free text, and keeps the filters in the URL", async () => {
    renderApp({
      summaries: [
        summary({
          id: "s3",
          title: "Bucket made public",
          category: "storage",
          status: "NEW",
          resource: "payroll-exports",
        }),
        summary({ id: "sg", title: "SSH open to the world", status: "MITIGATED" }),
      ],
    });
    FakeSocket.latest().open();
    await waitFor(() => expect(renderedIds()).toHaveLength(2));

    fireEvent.click(screen.getByRole("button", { name: "mitigated" }));
    await waitFor(() => expect(renderedIds()).toEqual(["sg"]));
    expect(screen.getByRole("button", { name: "mitigated" })).toHaveAttribute("aria-pressed", "true");

    fireEvent.click(screen.getByRole("button", { name: "mitigated" }));
    fireEvent.input(screen.getByRole("searchbox"), { target: { value: "PAYROLL" } });
    await waitFor(() => expect(renderedIds()).toEqual(["s3"]));
    expect(screen.getByText(/Showing 1 of 2/)).toBeInTheDocument();
  });

  it("loads 10,000 incidents but renders only the rows in view", async () => {
    renderApp({ summaries: many(10_000) });
    FakeSocket.latest().open();

    await screen.findByText(/Showing 10,000 of 10,000/, {}, { timeout: 5000 });

    const rows = renderedIds();
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(40);
    // Newest first by default.
    expect(rows[0]).toBe("bulk-9999");
    expect(screen.getByTestId("incident-viewport").firstElementChild).toHaveStyle({ height: `${10_000 * 64}px` });
  });

  it("sorts by severity and filters 10,000 incidents down by chip", async () => {
    renderApp({ summaries: many(10_000) });
    FakeSocket.latest().open();
    await screen.findByText(/Showing 10,000 of 10,000/, {}, { timeout: 5000 });

    fireEvent.click(screen.getByRole("button", { name: "critical" }));
    fireEvent.click(screen.getByRole("button", { name: "new" }));

    // critical is index % 5 === 4 and NEW is even: index % 10 === 4.
    await screen.findByText(/Showing 1,000 of 10,000/);
    expect(renderedIds()[0]).toBe("bulk-9994");
  });

  it("moves between rows with the arrow keys", async () => {
    renderApp({ summaries: many(30) });
    FakeSocket.latest().open();
    await waitFor(() => expect(renderedIds().length).toBeGreaterThan(2));
    const links = document.querySelectorAll<HTMLAnchorElement>("li[data-id] a");
    links[0]!.focus();

    fireEvent.keyDown(links[0]!, { key: "ArrowDown" });

    await waitFor(() => expect(document.activeElement).toBe(document.querySelector('li[data-index="1"] a')));
  });
});
