import { fireEvent, screen, waitFor, within } from "@solidjs/testing-library";
import { describe, expect, it } from "vitest";
import { FakeSocket } from "./test/fakeServer.js";
import { summary } from "./test/fixtures.js";
import { renderApp } from "./test/renderApp.js";

const rowFor = (id: string) => document.querySelector<HTMLElement>(`li[data-id="${id}"]`);

describe("App", () => {
  it("shows the remediation mode and loads incidents once the live connection opens", async () => {
    renderApp({ summaries: [summary({ id: "a", title: "Root account used" })] });

    expect(await screen.findByText("DRY-RUN")).toBeInTheDocument();
    FakeSocket.latest().open();

    expect(await screen.findByText("Root account used")).toBeInTheDocument();
    expect(screen.getByTestId("connection-state")).toHaveTextContent("Live");
    expect(FakeSocket.latest().url).toBe("ws://127.0.0.1:8787/ws?token=test-token");
  });

  it("adds new incidents live, toasts critical ones and advances statuses by version", async () => {
    const { server } = renderApp({ summaries: [] });
    const socket = await waitFor(() => FakeSocket.latest());
    socket.open();
    await screen.findByText("No incidents yet.");

    socket.send({
      v: 1,
      type: "incident.created",
      incident: summary({ id: "n1", title: "CloudTrail stopped", severity: "critical" }),
    });
    const row = await waitFor(() => rowFor("n1") ?? Promise.reject(new Error("no row")));
    expect(within(row).getByText("CloudTrail stopped")).toBeInTheDocument();
    const toasts = screen.getByRole("status", { name: "Notifications" });
    expect(within(toasts).getByText("New critical incident")).toBeInTheDocument();
    expect(within(toasts).getByText("CloudTrail stopped")).toBeInTheDocument();

    socket.send({
      v: 1,
      type: "incident.changed",
      id: "n1",
      status: "PROCESSING",
      version: 3,
      at: "2026-03-01T10:01:00Z",
    });
    await waitFor(() => expect(within(rowFor("n1")!).getByText("processing")).toBeInTheDocument());
    // A late, older message must not move the status back.
    socket.send({
      v: 1,
      type: "incident.changed",
      id: "n1",
      status: "TRIAGED",
      version: 2,
      at: "2026-03-01T10:00:30Z",
    });
    socket.send({
      v: 1,
      type: "incident.changed",
      id: "n1",
      status: "MITIGATED",
      version: 4,
      at: "2026-03-01T10:02:00Z",
    });
    await waitFor(() => expect(within(rowFor("n1")!).getByText("mitigated")).toBeInTheDocument());
    expect(server.requests.filter((request) => request.path.startsWith("/api/incidents?")).length).toBe(1);
  });

  it("reconnects after the connection drops and resyncs what it missed", async () => {
    const { server } = renderApp({ summaries: [summary({ id: "old", title: "Seen before the drop" })] });
    FakeSocket.latest().open();
    await screen.findByText("Seen before the drop");

    FakeSocket.latest().drop();
    expect(await screen.findByText("Reconnecting")).toBeInTheDocument();
    expect(screen.getByText(/Live updates are interrupted/)).toBeInTheDocument();
    server.summaries.unshift(summary({ id: "missed", title: "Created while offline" }));
    await waitFor(() => expect(FakeSocket.instances.length).toBe(2));
    FakeSocket.latest().open();

    expect(await screen.findByText("Created while offline")).toBeInTheDocument();
    expect(screen.getByTestId("connection-state")).toHaveTextContent("Live");
    expect(screen.queryByText(/Live updates are interrupted/)).not.toBeInTheDocument();
  });

  it("renders attacker-controlled text as text, never as markup", async () => {
    const payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    renderApp({ summaries: [summary({ id: "x", title: payload, principal: payload, resource: payload })] });
    FakeSocket.latest().open();

    const row = await waitFor(() => rowFor("x") ?? Promise.reject(new Error("no row")));
    // Title, principal and resource all show the payload verbatim.
    expect(within(row).getAllByText(payload)).toHaveLength(3);
    expect(document.querySelector("img, script")).toBeNull();
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });

  it("asks for a token when none is stored, and does not connect without one", async () => {
    renderApp({ storedToken: null });

    expect(await screen.findByText(/No access token yet/)).toBeInTheDocument();
    expect(FakeSocket.instances).toHaveLength(0);
    expect(screen.getByTestId("connection-state")).toHaveTextContent("Not connected");
  });

  it("says so when the server refuses the token", async () => {
    renderApp({ storedToken: "wrong" });
    FakeSocket.latest().open();

    expect(await screen.findByText(/The server refused the access token/)).toBeInTheDocument();
  });

  it("navigates with the main menu", async () => {
    renderApp({});

    fireEvent.click(screen.getByRole("link", { name: "Settings" }));

    expect(await screen.findByRole("heading", { name: "Settings", level: 1 })).toBeInTheDocument();
  });
});

describe("App background resync", () => {
  it("refreshes summaries once live changes settle, picking up fields messages do not carry", async () => {
    const { server } = renderApp({ summaries: [summary({ id: "s", title: "Scored later" })], deps: { settleMs: 20 } });
    FakeSocket.latest().open();
    await screen.findByText("Scored later");
    server.summaries[0] = summary({ id: "s", title: "Scored later", status: "TRIAGED", version: 2, score: 77 });

    FakeSocket.latest().send({
      v: 1,
      type: "incident.changed",
      id: "s",
      status: "TRIAGED",
      version: 2,
      at: "2026-03-01T10:00:05Z",
    });

    expect(await screen.findByText("score 77")).toBeInTheDocument();
  });
});
