import { parentPort, workerData } from "node:worker_threads";
import type { RiposteConfig } from "../config/schema.js";
import type { InputFile } from "../events/files.js";
import { readListedFiles } from "../events/read.js";
import { buildEngineIndex, enabledSpecs } from "./engine-index.js";
import { BatchEncoder } from "./prepared-batch.js";
import type { EventPattern } from "./types.js";

/**
 * A reader thread of `riposte scan` (started by `scan-readers.ts`): reads its share of the
 * files, normalises and matches every event against the engine's index, and posts the batches
 * (`prepared-batch.ts`) — never more than `maxInFlight` ahead of what the engine has taken.
 */

export interface ReaderData {
  config: RiposteConfig;
  files: InputFile[];
  /** Each file's index in the whole scan's list. */
  fileNumbers: number[];
  wholeFileLimit?: number;
  maxInFlight: number;
  extraPatterns?: readonly EventPattern[];
}

export type ReaderMessage =
  | { type: "ready"; signature: string }
  | { type: "batch"; message: import("./prepared-batch.js").PreparedBatchMessage; bytes: number }
  | { type: "done"; bytes: number }
  | { type: "failed"; reason: string };

async function run(port: NonNullable<typeof parentPort>, data: ReaderData): Promise<void> {
  const engineIndex = buildEngineIndex(enabledSpecs(data.config), data.config, data.extraPatterns);
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
  const batches = readListedFiles(data.files, {
    wholeFileLimit: data.wholeFileLimit,
    capture: true,
    onBytes: (count) => {
      bytes += count;
    },
  });
  for await (const batch of batches) {
    while (sent - acknowledged >= data.maxInFlight) await new Promise<void>((resolve) => (wake = resolve));
    const { message, transfer } = encoder.encode(batch, data.fileNumbers[batch.file]!);
    post({ type: "batch", message, bytes }, transfer);
    bytes = 0;
    sent++;
  }
  post({ type: "done", bytes });
}

if (parentPort) {
  const port = parentPort;
  run(port, workerData as ReaderData).catch((error: unknown) => {
    port.postMessage({ type: "failed", reason: (error as Error)?.stack ?? String(error) } satisfies ReaderMessage);
  });
}
