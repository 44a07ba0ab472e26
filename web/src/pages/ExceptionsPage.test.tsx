import { fireEvent, screen, waitFor, within } from "@solidjs/testing-library";
import { describe, expect, it } from "vitest";
import type { ExceptionRecord } from "../../../core/model/exception.js";
import { renderApp } from "../test/renderApp.js";

const PAYLOAD = '<img src=x onerror="window.__pwned=1">';

const existing: ExceptionRecord = {
  id: "slk-0123456789abcdef",
  detection: "sg-ssh-open-world",
  scope: { kind: "principal", value: `arn:aws:iam::123456789012:user/${PAYLOAD}` },
  owner: "U0APPROVER",
  reason: "bastion rebuild",
  createdAt: "2026-03-01T00:00:00Z",
  expiresAt: "2999-01-01T00:00:00Z",
  createdBy: "slack:U0APPROVER",
  source: "slack",
};

describe("ExceptionsPage", () => {
  it("lists the exceptions with their attacker text as text", async () => {
    renderApp({ path: "/exceptions", exceptions: [existing] });

    const table = await screen.findByRole("table", { name: "Exceptions" });
    await within(table).findByText(existing.id);

    expect(within(table).getByText(`principal arn:aws:iam::123456789012:user/${PAYLOAD}`)).toBeInTheDocument();
    expect(within(table).getByText("holds")).toBeInTheDocument();
    expect(document.querySelector("main img")).toBeNull();
  });

  it("creates an exception with the scope and expiry entered, and lists it", async () => {
    const { server } = renderApp({ path: "/exceptions" });
    await screen.findByText("No exceptions.");

    fireEvent.input(screen.getByLabelText("Detection"), { target: { value: "sg-ssh-open-world" } });
    fireEvent.change(screen.getByLabelText("Scope"), { target: { value: "cidr" } });
    fireEvent.input(screen.getByLabelText("Value"), { target: { value: "198.51.100.0/24" } });
    fireEvent.input(screen.getByLabelText("Reason"), { target: { value: "office range" } });
    fireEvent.input(screen.getByLabelText("Days"), { target: { value: "2" } });
    fireEvent.submit(screen.getByRole("button", { name: "Create exception" }));

    expect(await screen.findByText("Created dsh-1.")).toBeInTheDocument();
    const posted = server.requests.find((request) => request.method === "POST")?.body as Record<string, unknown>;
    expect(posted).toMatchObject({
      detection: "sg-ssh-open-world",
      scope: { kind: "cidr", value: "198.51.100.0/24" },
      reason: "office range",
    });
    const days = (Date.parse(String(posted.expiresAt)) - Date.now()) / (24 * 3600 * 1000);
    expect(Math.round(days)).toBe(2);
    await waitFor(() => expect(screen.getByRole("table", { name: "Exceptions" })).toHaveTextContent("dsh-1"));
  });

  it("shows the server's refusal (not an approver)", async () => {
    const { server } = renderApp({ path: "/exceptions" });
    server.exceptionError = { status: 403, error: "dashboard:bob may not create exceptions via dashboard" };
    await screen.findByText("No exceptions.");

    fireEvent.input(screen.getByLabelText("Detection"), { target: { value: "sg-ssh-open-world" } });
    fireEvent.input(screen.getByLabelText("Value"), { target: { value: "alice" } });
    fireEvent.input(screen.getByLabelText("Reason"), { target: { value: "x" } });
    fireEvent.submit(screen.getByRole("button", { name: "Create exception" }));

    expect(await screen.findByText(/may not create exceptions/)).toBeInTheDocument();
  });
});
