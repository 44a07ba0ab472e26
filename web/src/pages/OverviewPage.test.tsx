import { screen, within } from "@solidjs/testing-library";
import { describe, expect, it } from "vitest";
import type { StatsResponse } from "../../../core/model/api.js";
import { renderApp } from "../test/renderApp.js";

const STATS: StatsResponse = {
  total: 42,
  byStatus: [
    { key: "MITIGATED", count: 30 },
    { key: "AWAITING_APPROVAL", count: 2 },
  ],
  byCategory: [{ key: "network", count: 40 }],
  bySeverity: [{ key: "critical", count: 5 }],
  timeToRespond: { mean: 95, p90: 310, count: 30 },
  overTime: [
    { bucket: "2026-03-01T10:00:00.000Z", count: 3 },
    { bucket: "2026-03-01T11:00:00.000Z", count: 9 },
  ],
  topPrincipals: [{ key: "arn:aws:iam::111122223333:user/<b>mallory</b>", count: 12 }],
  topResources: [{ key: "sg-0abc", count: 7 }],
};

describe("OverviewPage", () => {
  it("shows totals, response times, the chart and top lists linking to filtered incidents", async () => {
    renderApp({ path: "/overview", stats: STATS });

    expect(await screen.findByText("42")).toBeInTheDocument();
    expect(screen.getByText("1 min 35 s")).toBeInTheDocument();
    expect(screen.getByText("5 min 10 s")).toBeInTheDocument();
    expect(
      screen.getByRole("img", { name: "Incidents created per time bucket" }).querySelectorAll("rect"),
    ).toHaveLength(2);
    const principals = screen.getByRole("list", { name: "Top principals" });
    const link = within(principals).getByRole("link");
    expect(link).toHaveTextContent("arn:aws:iam::111122223333:user/<b>mallory</b>");
    expect(link.getAttribute("href")).toBe("/?q=arn%3Aaws%3Aiam%3A%3A111122223333%3Auser%2F%3Cb%3Emallory%3C%2Fb%3E");
    expect(
      within(screen.getByRole("list", { name: "Incidents by status" })).getByText("awaiting approval"),
    ).toBeInTheDocument();
  });

  it("says when statistics cannot be loaded", async () => {
    renderApp({ path: "/overview" });

    expect(await screen.findByRole("alert")).toHaveTextContent(/Could not load statistics/);
  });

  it("shows how many findings the server set aside, linking to why", async () => {
    // Arrange: two dead-lettered findings on the server.
    const deadLetters = ["a", "b"].map((n) => ({
      incidentId: `sg-ssh-open-world-${n}`,
      detection: "sg-ssh-open-world",
      failedAt: "2026-03-01T10:00:00Z",
      reason: "InvalidExecutionInput: the execution input exceeds the 256 KiB payload quota",
    }));

    // Act
    renderApp({ path: "/overview", stats: STATS, deadLetters });

    // Assert
    const notice = await screen.findByText(/2 findings could not start a workflow/);
    expect(notice).toHaveAttribute("role", "status");
    expect(within(notice).getByRole("link", { name: "See why in Settings" })).toHaveAttribute("href", "/settings");
  });

  it("shows no notice while nothing is set aside", async () => {
    renderApp({ path: "/overview", stats: STATS });

    // Health has answered once the mode shows.
    expect(await screen.findByText("DRY-RUN")).toBeInTheDocument();
    expect(screen.queryByText(/could not start a workflow/)).not.toBeInTheDocument();
  });
});
