import { render, screen } from "@solidjs/testing-library";
import { describe, expect, it } from "vitest";
import { App } from "./App";

describe("App", () => {
  it("shows the server's version and remediation mode once health answers", async () => {
    const loadHealth = async () => ({ status: "ok", version: "9.9.9", remediation: "dry-run" });

    render(() => <App loadHealth={loadHealth} />);

    expect(await screen.findByText(/Riposte 9\.9\.9/)).toBeInTheDocument();
    expect(screen.getByText("dry-run")).toBeInTheDocument();
  });

  it("says the server is unreachable when health fails", async () => {
    const loadHealth = async () => {
      throw new Error("down");
    };

    render(() => <App loadHealth={loadHealth} />);

    expect(await screen.findByText("Server unreachable")).toBeInTheDocument();
  });
});
