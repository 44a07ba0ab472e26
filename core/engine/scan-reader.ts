import { parentPort } from "node:worker_threads";
import type { RiposteConfig } from "../config/schema.js";
import type { EventPattern } from "../detections/types.js";
import type { InputFile } from "../events/files.js";
import { readClaimedFiles } from "../events/read.js";
import type { UserRule } from "../rules/format.js";
import { buildEngineIndex, enabledSpecs } from "./engine-index.js";
import { BatchEncoder, type PreparedBatchMessage } from "./prepared-batch.js";

/**
 * A reader thread of `riposte scan`, started by `scan-start.ts`: it loads its code, waits for its
 * scan (a `start` message from `scan-readers.ts`), then claims the next file from the counter all
 * readers share, reads it, normalizes and matches every event against the engine's index, and
 * posts the batches (`prepared-batch.ts`) and then the file's end — never more than `maxInFlight`
 * messages ahead of what the engine has taken (counted in shared memory: see `acknowledged`).
 */

export interface ReaderData {
  config: RiposteConfig;
  /** The whole scan's files. */
  files: InputFile[];
  /** One Int32: the next file to claim, shared by every reader (`Atomics.add`). */
  claims: SharedArrayBuffer;
  /** One Int32 per reader: the messages of that reader the engine took (`Atomics.add`, then `notify`). */
  acknowledged: SharedArrayBuffer;
  wholeFileLimit?: number;
  maxInFlight: number;
  extraPatterns?: readonly EventPattern[];
  rules?: readonly UserRule[];
}

/** The first message a reader receives: its scan (it loads its code before, while it waits). */
export interface ReaderStart {
  type: "start";
  /** This reader's number (its slot in `acknowledged`). */
  reader: number;
  data: ReaderData;
}

export type ReaderMessage =
  | { type: "ready"; signature: string }
  /** `end`: the file's last batch (most files are one batch: one message, one acknowledgement). */
  | { type: "batch"; message: PreparedBatchMessage; bytes: number; end?: true }
  /** Every batch of `file` was posted (a file that yields no batch). */
  | { type: "end"; file: number; bytes: number }
  /** No file is left to claim. */
  | { type: "done" }
  | { type: "failed"; reason: string };

/** `Atomics.waitAsync` (ES2024; in Node since 16). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(array: Int32Array, index: number, value: number): { async: boolean; value: Promise<unknown> | string };
  }
).waitAsync;

async function run(port: NonNullable<typeof parentPort>, reader: number, data: ReaderData): Promise<void> {
  // A pattern about calls is compiled when this thread first meets one of them (`deferByCall`).
  const engineIndex = buildEngineIndex(
    enabledSpecs(data.config, undefined, data.rules),
    data.config,
    data.extraPatterns,
    { deferByCall: true },
  );
  // Readers match every event: make and compile the other patterns now, so one that cannot be
  // made fails the reader's start (and the scan) rather than each file.
  engineIndex.index.prepare();
  const encoder = new BatchEncoder(engineIndex);
  const acknowledged = new Int32Array(data.acknowledged);
  const post = (message: ReaderMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  post({ type: "ready", signature: engineIndex.signature });

  let sent = 0;
  let bytes = 0;
  const counter = new Int32Array(data.claims);
  const claim = () => {
    const next = Atomics.add(counter, 0, 1);
    return next < data.files.length ? next : undefined;
  };
  const batches = readClaimedFiles(data.files, claim, {
    wholeFileLimit: data.wholeFileLimit,
    capture: true,
    // This thread only reads: synchronous reads cost less than four asynchronous calls a file.
    blocking: true,
    onBytes: (count) => {
      bytes += count;
    },
  });
  const send = async (message: ReaderMessage, transfer?: ArrayBuffer[]) => {
    for (;;) {
      const taken = Atomics.load(acknowledged, reader);
      if (sent - taken < data.maxInFlight) break;
      // Woken by the engine's next acknowledgement (or at once if it came since the load).
      const wait = waitAsync(acknowledged, reader, taken);
      if (wait.async) await wait.value;
    }
    post(message, transfer);
    sent++;
  };
  // A batch is held until the next item says whether it was its file's last.
  let held: { message: PreparedBatchMessage; transfer: ArrayBuffer[]; bytes: number } | undefined;
  for await (const batch of batches) {
    if ("end" in batch) {
      if (held)
        await send({ type: "batch", message: held.message, bytes: held.bytes + bytes, end: true }, held.transfer);
      else await send({ type: "end", file: batch.file, bytes });
      held = undefined;
    } else {
      if (held) await send({ type: "batch", message: held.message, bytes: held.bytes }, held.transfer);
      held = { ...encoder.encode(batch, batch.file), bytes };
    }
    bytes = 0;
  }
  post({ type: "done" });
}

if (parentPort) {
  const port = parentPort;
  port.once("message", (start: ReaderStart) => {
    // Listening keeps the thread alive until the scan stops it: a thread that ran out of work
    // and exited could do so before the engine received its last messages.
    port.on("message", () => {});
    run(port, start.reader, start.data).catch((error: unknown) => {
      port.postMessage({ type: "failed", reason: (error as Error)?.stack ?? String(error) } satisfies ReaderMessage);
    });
  });
}
