import { fireEvent, screen, waitFor, within } from "@solidjs/testing-library";
import { describe, expect, it } from "vitest";
import { FakeSocket, putIncident } from "../test/fakeServer.js";
import { detailResponse, incident } from "../test/fixtures.js";
import { renderApp } from "../test/renderApp.js";

const PAYLOAD = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

function awaitingApproval() {
  return incident({
    id: "inc-approve",
    title: "SSH opened to the world on sg-prod",
    status: "AWAITING_APPROVAL",
    version: 4,
    userAgent: PAYLOAD,
    score: {
      value: 82,
      priority: "P1",
      factors: [
        { id: "world", label: "Open to 0.0.0.0/0", points: 40 },
        { id: "prod", label: "Production-tagged", points: 30 },
        { id: "trusted", label: "Known admin network", points: -8 },
      ],
    },
    enrichment: {
      source: {
        ip: "203.0.113.7",
        kind: "public",
        trusted: false,
        geo: { city: "Lisbon", countryName: "Portugal", asn: 64500, asOrg: "Example Net" },
      },
      principal: { type: "iam-user", name: "alice", mfa: false, newIp: true },
      resource: {
        type: "security-group",
        id: "sg-prod",
        tags: { env: "production" },
        production: true,
        protected: false,
      },
      errors: [],
    },
    decision: {
      route: "approval",
      reason: "Production-tagged group: a person decides",
      plan: [
        {
          action: "revoke-sg-rules",
          target: "sg-prod",
          description: "Revoke tcp/22 from 0.0.0.0/0 on sg-prod",
          destructive: false,
          calls: [{ service: "ec2", operation: "RevokeSecurityGroupIngress", params: { GroupId: "sg-prod" } }],
          permissions: ["ec2:RevokeSecurityGroupIngress"],
        },
      ],
      approval: { timeoutSeconds: 3600, onTimeout: "reject" },
    },
    evidence: [
      {
        eventSource: "ec2.amazonaws.com",
        eventName: "AuthorizeSecurityGroupIngress",
        eventTime: "2026-03-01T09:59:58Z",
        userAgent: PAYLOAD,
      },
    ],
  });
}

describe("IncidentPage", () => {
  it("shows the score factors, context and evidence, with attacker text as text", async () => {
    const value = awaitingApproval();
    renderApp({
      path: "/incidents/inc-approve",
      details: [
        detailResponse(
          value,
          ["Enrich the incident", "Score the incident", "Approval required?", "Request approval"],
          true,
        ),
      ],
    });

    expect(await screen.findByRole("heading", { name: value.title, level: 1 })).toBeInTheDocument();
    expect(screen.getByText("Production-tagged")).toBeInTheDocument();
    expect(screen.getByText("-8")).toBeInTheDocument();
    expect(screen.getByText("Lisbon, Portugal")).toBeInTheDocument();
    expect(screen.getByText("AS64500 Example Net")).toBeInTheDocument();
    expect(screen.getByText("ec2.amazonaws.com AuthorizeSecurityGroupIngress", { exact: false })).toBeInTheDocument();
    // The user agent appears as text in the source facts and inside the raw evidence JSON.
    expect(screen.getByText(PAYLOAD)).toBeInTheDocument();
    expect(document.body.textContent).toContain(JSON.stringify(PAYLOAD).slice(1, -1));
    expect(document.querySelector("main img, main script")).toBeNull();
  });

  it("highlights the path taken and the state the execution waits in", async () => {
    const value = awaitingApproval();
    renderApp({
      path: "/incidents/inc-approve",
      details: [
        detailResponse(
          value,
          ["Enrich the incident", "Score the incident", "Approval required?", "Request approval"],
          true,
        ),
      ],
    });

    await screen.findByRole("heading", { name: "Workflow" });
    const node = (name: string) => document.querySelector(`g.node[data-state="${name}"]`);
    expect(node("Score the incident")).toHaveClass("visited");
    expect(node("Request approval")).toHaveClass("current");
    expect(node("Remediate")).not.toHaveClass("visited");
    expect(
      document.querySelector('path.edge.taken[data-from="Approval required?"][data-to="Request approval"]'),
    ).not.toBeNull();
    expect(document.querySelector('path.edge.taken[data-to="Remediate"]')).toBeNull();
    expect(
      screen.getByText(
        /Path taken: Enrich the incident → Score the incident → Approval required\? → Request approval; now in Request approval/,
        { selector: "figcaption" },
      ),
    ).toBeInTheDocument();
    expect(screen.getAllByText("TaskStateEntered").length).toBe(4);
  });

  it("approves with a comment and refreshes as the workflow moves on", async () => {
    const value = awaitingApproval();
    const { server } = renderApp({ path: "/incidents/inc-approve", details: [detailResponse(value, [], true)] });
    FakeSocket.latest().open();
    const panel = (await screen.findByRole("heading", { name: "Approval needed" })).closest("section")!;
    expect(within(panel).getByText("Dry-run: approving records the calls but sends none.")).toBeInTheDocument();

    fireEvent.input(within(panel).getByLabelText(/Comment/), { target: { value: "change ticket CHG-42" } });
    fireEvent.click(within(panel).getByRole("button", { name: "Approve" }));

    expect(await within(panel).findByText(/Approved by dashboard/)).toBeInTheDocument();
    expect(server.approvals).toEqual([
      { id: "inc-approve", request: { decision: "approve", comment: "change ticket CHG-42" } },
    ]);

    putIncident(server, {
      ...value,
      status: "MITIGATED",
      version: 7,
      approvals: [
        {
          id: "ap",
          decision: "approve",
          approver: "dashboard",
          at: "2026-03-01T10:10:00Z",
          via: "dashboard",
          comment: "change ticket CHG-42",
        },
      ],
    });
    FakeSocket.latest().send({
      v: 1,
      type: "incident.changed",
      id: "inc-approve",
      status: "MITIGATED",
      version: 7,
      at: "2026-03-01T10:11:00Z",
    });

    await waitFor(() =>
      expect(document.querySelector(".incident-header .badge.status")).toHaveTextContent("mitigated"),
    );
    // The confirmation stays while the workflow moves on.
    expect(within(panel).getByText(/Approved by dashboard/)).toBeInTheDocument();
    expect(within(panel).queryByRole("button", { name: "Approve" })).not.toBeInTheDocument();
    expect(screen.getByRole("cell", { name: "change ticket CHG-42" })).toBeInTheDocument();
  });

  it("reports a rejected approval (someone decided first) and keeps the form", async () => {
    const value = awaitingApproval();
    const { server } = renderApp({ path: "/incidents/inc-approve", details: [detailResponse(value)] });
    const panel = (await screen.findByRole("heading", { name: "Approval needed" })).closest("section")!;
    server.details.set("inc-approve", {
      ...server.details.get("inc-approve")!,
      incident: { ...value, status: "DISMISSED" },
    });

    fireEvent.click(within(panel).getByRole("button", { name: "Reject" }));

    expect(await within(panel).findByRole("alert")).toHaveTextContent("approval already decided");
    expect(within(panel).getByRole("button", { name: "Approve" })).toBeEnabled();
  });

  it("shows a SUPPRESSED incident with the exception that covered it, its text as text", async () => {
    const value = incident({
      id: "inc-suppressed",
      title: "SSH opened to the world on sg-dev",
      status: "SUPPRESSED",
      suppressedBy: {
        exceptionId: "slk-0123456789abcdef",
        owner: "U0APPROVER",
        reason: PAYLOAD,
        expiresAt: "2026-03-11T14:30:00.000Z",
        scope: { kind: "principal", value: "arn:aws:iam::123456789012:user/alice" },
      },
    });
    renderApp({ path: "/incidents/inc-suppressed", details: [detailResponse(value, ["Open the incident"])] });

    expect(await screen.findByRole("heading", { name: value.title, level: 1 })).toBeInTheDocument();
    const notice = screen.getByRole("region", { name: "Suppressed by exception" });
    expect(within(notice).getByText("slk-0123456789abcdef")).toBeInTheDocument();
    expect(notice.textContent).toContain("principal arn:aws:iam::123456789012:user/alice");
    expect(within(notice).getByText(PAYLOAD)).toBeInTheDocument();
    expect(document.querySelector('.badge[data-status="SUPPRESSED"]')?.textContent).toBe("suppressed");
    expect(document.querySelector("main img, main script")).toBeNull();
  });

  it("says when the incident does not exist", async () => {
    renderApp({ path: "/incidents/nope" });

    expect(await screen.findByRole("heading", { name: "Incident not found" })).toBeInTheDocument();
  });
});
