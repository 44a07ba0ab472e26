import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { CoalescedOutput } from "./coalesced-output.js";

const recorder = () => {
  const writes: string[] = [];
  return { writes, stream: { write: (text: string) => writes.push(text) > 0 } };
};

describe("CoalescedOutput", () => {
  it("joins the writes of one turn into one, in order, and writes them at the next turn", async () => {
    const { writes, stream } = recorder();
    const out = new CoalescedOutput(stream);
    out.write("a\n");
    out.write("b\n");
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toEqual(["a\nb\n"]);
    out.write("c\n");
    await nextTurn();
    expect(writes).toEqual(["a\nb\n", "c\n"]);
  });

  it("writes at once when the pending text reaches the limit, and on flush", () => {
    const { writes, stream } = recorder();
    const out = new CoalescedOutput(stream, 4);
    out.write("ab");
    out.write("cd");
    expect(writes).toEqual(["abcd"]);
    out.write("e");
    out.flush();
    out.flush();
    expect(writes).toEqual(["abcd", "e"]);
  });
});
