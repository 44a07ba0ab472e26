import { fireEvent, screen, waitFor } from "@solidjs/testing-library";
import { describe, expect, it } from "vitest";
import { STORAGE_KEY } from "../stores/createSettings.js";
import { FakeSocket } from "../test/fakeServer.js";
import { renderApp } from "../test/renderApp.js";

describe("SettingsPage", () => {
  it("saves a token locally and reconnects with it", async () => {
    const { storage } = renderApp({ path: "/settings", storedToken: null });
    expect(FakeSocket.instances).toHaveLength(0);

    fireEvent.input(screen.getByLabelText("Token"), { target: { value: " fresh-token " } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));

    expect(await screen.findByText("Saved.")).toBeInTheDocument();
    expect(JSON.parse(storage.getItem(STORAGE_KEY)!).token).toBe("fresh-token");
    await waitFor(() => expect(FakeSocket.latest().url).toBe("ws://127.0.0.1:8787/ws?token=fresh-token"));
    expect(screen.queryByText(/No access token yet/)).not.toBeInTheDocument();
  });

  it("refuses a WebSocket URL that is not ws(s)", async () => {
    renderApp({ path: "/settings" });

    fireEvent.input(screen.getByLabelText("WebSocket URL"), { target: { value: "http://example.com/ws" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("WebSocket URL must be a ws(s) URL");
  });

  it("shows live mode prominently and switches the theme", async () => {
    renderApp({ path: "/settings", remediation: "live" });

    expect(
      await screen.findByText(/LIVE remediation: approved and automatic actions change your AWS account/),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByLabelText("dark"));

    expect(document.documentElement.dataset.theme).toBe("dark");
  });

  it("lists the findings set aside with their reasons (health gives them to the token's holder)", async () => {
    renderApp({
      path: "/settings",
      deadLetters: [
        {
          incidentId: "sg-ssh-open-world-a",
          detection: "sg-ssh-open-world",
          failedAt: "2026-03-01T10:00:00Z",
          reason: "InvalidExecutionInput: the execution input exceeds the 256 KiB payload quota",
        },
      ],
    });

    const section = await screen.findByRole("region", { name: "Findings set aside" });

    expect(section).toHaveTextContent("sg-ssh-open-world-a");
    expect(section).toHaveTextContent("InvalidExecutionInput: the execution input exceeds the 256 KiB payload quota");
  });
});
