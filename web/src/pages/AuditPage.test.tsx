import { fireEvent, screen, waitFor, within } from "@solidjs/testing-library";
import { describe, expect, it } from "vitest";
import { summarize } from "../../../core/store/summary.js";
import { FakeSocket } from "../test/fakeServer.js";
import { detailResponse, incident } from "../test/fixtures.js";
import { renderApp } from "../test/renderApp.js";

const recent = new Date(Date.now() - 3600_000).toISOString();

function decided() {
  const approved = incident({
    id: "approved",
    title: "Bucket policy made public",
    status: "MITIGATED",
    createdAt: recent,
    decision: { route: "approval", reason: "Production bucket", plan: [] },
    approvals: [
      {
        id: "a1",
        decision: "approve",
        approver: "carol@example.com",
        at: recent,
        via: "slack",
        comment: "verified with owner",
      },
    ],
  });
  const dismissed = incident({
    id: "dismissed",
    title: "Console login failure",
    status: "DISMISSED",
    createdAt: recent,
    decision: { route: "dismiss", reason: "Below threshold", plan: [] },
  });
  return [approved, dismissed];
}

describe("AuditPage", () => {
  it("searches decisions by approver and comment, and exports the audit trail", async () => {
    const incidents = decided();
    const { server } = renderApp({
      path: "/audit",
      summaries: incidents.map(summarize),
      details: incidents.map((value) => detailResponse(value)),
    });
    FakeSocket.latest().open();
    const decisions = (await screen.findByRole("heading", { name: "Decisions" })).closest("section")!;
    await within(decisions).findByText("Production bucket");

    fireEvent.input(screen.getByRole("searchbox"), { target: { value: "carol verified" } });
    fireEvent.submit(screen.getByRole("searchbox").closest("form")!);

    await waitFor(() => expect(within(decisions).queryByText("Below threshold")).not.toBeInTheDocument());
    expect(within(decisions).getByText(/carol@example\.com via slack/)).toBeInTheDocument();
    expect(within(decisions).getByText("“verified with owner”")).toBeInTheDocument();

    fireEvent.click(
      within(decisions).getByRole("button", { name: "Export audit trail of Bucket policy made public as CSV" }),
    );
    await waitFor(() =>
      expect(server.requests.some((request) => request.path === "/api/incidents/approved/audit?format=csv")).toBe(true),
    );
  });

  it("searches incidents through the API", async () => {
    const incidents = decided();
    const { server } = renderApp({ path: "/audit?q=console", summaries: incidents.map(summarize), details: [] });

    const found = (await screen.findByRole("heading", { name: "Incidents" })).closest("section")!;

    expect(await within(found).findByText("Console login failure")).toBeInTheDocument();
    expect(within(found).queryByText("Bucket policy made public")).not.toBeInTheDocument();
    expect(
      server.requests.some(
        (request) => request.path.startsWith("/api/incidents?since=") && request.path.includes("q=console"),
      ),
    ).toBe(true);
  });
});
