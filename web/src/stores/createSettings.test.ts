import { createRoot } from "solid-js";
import { describe, expect, it } from "vitest";
import { memoryStorage } from "../test/fakeServer.js";
import { createSettings, deriveLiveUrl, STORAGE_KEY, takeTokenFromFragment } from "./createSettings.js";

describe("takeTokenFromFragment", () => {
  it("reads the token and removes the fragment from the address bar", () => {
    window.history.replaceState(null, "", "/incidents?x=1#token=abc%2Bdef");

    const token = takeTokenFromFragment(window.location, window.history);

    expect(token).toBe("abc+def");
    expect(window.location.href).toBe("http://localhost:3000/incidents?x=1");
  });

  it("leaves other fragments alone", () => {
    window.history.replaceState(null, "", "/#workflow");

    expect(takeTokenFromFragment(window.location, window.history)).toBeUndefined();
    expect(window.location.hash).toBe("#workflow");
  });
});

describe("createSettings", () => {
  it("stores a fragment token over the saved one and builds the live URL with it", () => {
    const storage = memoryStorage({ [STORAGE_KEY]: JSON.stringify({ token: "old", theme: "dark" }) });

    const settings = createRoot(() => createSettings({ storage, fragmentToken: "new token" }));

    expect(settings.value).toMatchObject({ token: "new token", theme: "dark" });
    expect(JSON.parse(storage.getItem(STORAGE_KEY)!).token).toBe("new token");
    expect(settings.liveUrl("https://riposte.example/incidents")).toBe("wss://riposte.example/ws?token=new+token");
  });

  it("ignores unreadable or ill-typed stored settings", () => {
    const storage = memoryStorage({ [STORAGE_KEY]: '{"token": 42, "theme": "neon", "apiUrl": "http://api"}' });

    const settings = createRoot(() => createSettings({ storage }));

    expect(settings.value).toEqual({ apiUrl: "http://api", wsUrl: "", token: "", theme: "system" });
    expect(settings.liveUrl("http://x/")).toBeUndefined();
  });

  it("derives the WebSocket URL from an API URL with a path", () => {
    expect(deriveLiveUrl("https://abc.execute-api.eu-west-1.amazonaws.com/prod/", "https://dash/")).toBe(
      "wss://abc.execute-api.eu-west-1.amazonaws.com/prod/ws",
    );
  });
});
