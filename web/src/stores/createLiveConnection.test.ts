import { createRoot, createSignal } from "solid-js";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LiveMessage } from "../../../core/model/messages.js";
import { createFakeSocket, FakeSocket } from "../test/fakeServer.js";
import { createLiveConnection } from "./createLiveConnection.js";

function setup(options: { url?: string } = { url: "ws://127.0.0.1/ws?token=t" }) {
  const [current, setUrl] = createSignal<string | undefined>(options.url);
  let dispose!: () => void;
  const live = createRoot((disposeRoot) => {
    dispose = disposeRoot;
    return createLiveConnection({
      url: current,
      createSocket: createFakeSocket,
      backoffMs: [100, 1000],
      random: () => 0.5,
      staleAfterMs: 5000,
    });
  });
  return { live, setUrl, dispose };
}

describe("createLiveConnection", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.reset();
  });
  afterEach(() => vi.useRealTimers());

  it("opens, delivers valid messages and reports refused ones", () => {
    const { live, dispose } = setup();
    const received: LiveMessage[] = [];
    const refused: string[] = [];
    live.subscribe((message) => received.push(message));
    live.onRejected((reason) => refused.push(reason));

    FakeSocket.latest().open();
    FakeSocket.latest().send({ v: 1, type: "heartbeat", at: "now" });
    FakeSocket.latest().send("{oops");

    expect(live.state()).toBe("open");
    expect(received.map((message) => message.type)).toEqual(["heartbeat"]);
    expect(refused).toEqual(["frame is not JSON"]);
    dispose();
  });

  it("backs off after a drop, then tells listeners it reconnected", () => {
    const { live, dispose } = setup();
    const opens: boolean[] = [];
    live.onOpen((reconnected) => opens.push(reconnected));
    FakeSocket.latest().open();

    FakeSocket.latest().drop();
    expect(live.state()).toBe("reconnecting");
    vi.advanceTimersByTime(99);
    expect(FakeSocket.instances).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.instances).toHaveLength(2);
    // The second attempt fails too: the wait grows to the next step.
    FakeSocket.latest().drop();
    expect(live.failures()).toBe(2);
    vi.advanceTimersByTime(999);
    expect(FakeSocket.instances).toHaveLength(2);
    vi.advanceTimersByTime(1);
    FakeSocket.latest().open();

    expect(opens).toEqual([false, true]);
    expect(live.failures()).toBe(0);
    dispose();
  });

  it("treats a socket that stops sending heartbeats as dead", () => {
    const { live, dispose } = setup();
    FakeSocket.latest().open();
    vi.advanceTimersByTime(4000);
    FakeSocket.latest().send({ v: 1, type: "heartbeat", at: "now" });
    vi.advanceTimersByTime(4000);
    expect(live.state()).toBe("open");

    vi.advanceTimersByTime(1001);

    expect(live.state()).toBe("reconnecting");
    expect(FakeSocket.instances[0]?.closed).toBe(true);
    dispose();
  });

  it("stays idle without a URL and reconnects when the URL changes", () => {
    const { live, setUrl, dispose } = setup({});
    expect(live.state()).toBe("idle");
    expect(FakeSocket.instances).toHaveLength(0);

    setUrl("ws://127.0.0.1/ws?token=new");

    expect(live.state()).toBe("connecting");
    expect(FakeSocket.latest().url).toBe("ws://127.0.0.1/ws?token=new");
    dispose();
    expect(FakeSocket.latest().closed).toBe(true);
  });

  it("retries at once on demand", () => {
    const { live, dispose } = setup();
    FakeSocket.latest().drop();

    live.reconnectNow();

    expect(FakeSocket.instances).toHaveLength(2);
    expect(live.retryAt()).toBeUndefined();
    dispose();
  });
});
