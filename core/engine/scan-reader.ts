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
 * messages ahead of what the engine has taken (each is acknowledged).
 */

export interface ReaderData {
  config: RiposteConfig;
  /** The whole scan's files. */
  files: InputFile[];
  /** One Int32: the next file to claim, shared by every reader (`Atomics.add`). */
  claims: SharedArrayBuffer;
  wholeFileLimit?: number;
  maxInFlight: number;
  extraPatterns?: readonly EventPattern[];
  rules?: readonly UserRule[];
}

/** The first message a reader receives: its scan (it loads its code before, while it waits). */
export interface ReaderStart {
  type: "start";
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

async function run(port: NonNullable<typeof parentPort>, data: ReaderData): Promise<void> {
  const engineIndex = buildEngineIndex(
    enabledSpecs(data.config, undefined, data.rules),
    data.config,
    data.extraPatterns,
  );
  // Readers match every event: make and compile the patterns now, so one that cannot be made
  // fails the reader's start (and the scan) rather than each file.
  engineIndex.index.prepare();
  const encoder = new BatchEncoder(engineIndex);
  let acknowledged = 0;
  let wake: (() => void) | undefined;
  port.on("message", (message: { type: string }) => {
    if (message.type !== "ack") return;
    acknowledged++;
    wake?.();
  });
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
    onBytes: (count) => {
      bytes += count;
    },
  });
  const send = async (message: ReaderMessage, transfer?: ArrayBuffer[]) => {
    while (sent - acknowledged >= data.maxInFlight) await new Promise<void>((resolve) => (wake = resolve));
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
    run(port, start.data).catch((error: unknown) => {
      port.postMessage({ type: "failed", reason: (error as Error)?.stack ?? String(error) } satisfies ReaderMessage);
    });
  });
}
