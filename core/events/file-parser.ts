import { DEFAULT_FLOW_FIELDS, fromFlowLine, looksLikeFlowLine, parseFlowHeader } from "./flow-logs.js";
import { recordSlices } from "./json-slices.js";
import { normalizeValue } from "./normalize.js";
import type { ReadItem, RecordContext, RecordSlice } from "./types.js";
import { fromAlbLine, type LogFileFacts, looksLikeAlbLine } from "./web-logs.js";

/**
 * Turns the lines of one file into read items. The first non-empty line decides the format:
 * JSON (one document per line, or — when the first line is not a complete document — the whole
 * file as one pretty-printed document), a VPC flow log (with or without a header), or an ALB
 * access log. Every record that cannot be read becomes an error item with its position; the
 * rest of the file is still read.
 *
 * Positions: the line number for line formats; for a file holding one JSON document of many
 * records (a CloudTrail log file), the record's 1-based index.
 */
type Mode =
  | { kind: "undecided" }
  | { kind: "json-lines" }
  | { kind: "json-document"; lines: string[] }
  | { kind: "flow"; fields: readonly string[] }
  | { kind: "alb" }
  | { kind: "unknown" };

/**
 * Where each emitted item's event came from, index for index with the output (`undefined` for
 * errors and for events not normalized from JSON text): lets another thread rebuild the event.
 */
export interface SliceSink {
  slices: (RecordSlice | undefined)[];
}

export class FileParser {
  private mode: Mode = { kind: "undecided" };
  private firstJsonLine: { text: string; value: unknown; line: number } | undefined;

  constructor(
    private readonly file: string,
    private readonly facts: LogFileFacts,
    private readonly sink?: SliceSink,
  ) {}

  private push(out: ReadItem[], item: ReadItem, slice?: RecordSlice): void {
    out.push(item);
    this.sink?.slices.push(slice);
  }

  /** Feed one line (without its newline); `line` is 1-based. */
  line(text: string, line: number, out: ReadItem[]): void {
    const mode = this.mode;
    switch (mode.kind) {
      case "undecided":
        this.decide(text, line, out);
        return;
      case "json-lines":
        this.jsonLine(text, line, out);
        return;
      case "json-document":
        mode.lines.push(text);
        return;
      case "flow":
        this.flowLine(text, line, mode.fields, out);
        return;
      case "alb":
        this.albLine(text, line, out);
        return;
      case "unknown":
        return;
    }
  }

  /** End of file: completes a pending document. */
  end(out: ReadItem[]): void {
    if (this.mode.kind === "json-document") {
      const text = this.mode.lines.join("\n");
      this.mode = { kind: "unknown" };
      this.wholeDocument(text, out);
      return;
    }
    if (this.firstJsonLine) {
      // The file was a single JSON line: a document, whose records get their own positions.
      const { text, value, line } = this.firstJsonLine;
      this.firstJsonLine = undefined;
      this.emitDocument(value, out, line, text);
    }
  }

  private decide(text: string, line: number, out: ReadItem[]): void {
    const trimmed = text.trim();
    if (trimmed === "") return;
    const first = trimmed[0];
    if (first === "{" || first === "[") {
      let value: unknown;
      try {
        value = JSON.parse(trimmed);
      } catch {
        // Not a complete document on one line: a pretty-printed file.
        this.mode = { kind: "json-document", lines: [text] };
        return;
      }
      this.mode = { kind: "json-lines" };
      // Hold the first line: if it is the only one, it is a whole document.
      this.firstJsonLine = { text: trimmed, value, line };
      return;
    }
    const header = parseFlowHeader(trimmed);
    if (header) {
      this.mode = { kind: "flow", fields: header };
      return;
    }
    if (looksLikeFlowLine(trimmed)) {
      this.mode = { kind: "flow", fields: DEFAULT_FLOW_FIELDS };
      this.flowLine(text, line, DEFAULT_FLOW_FIELDS, out);
      return;
    }
    if (looksLikeAlbLine(trimmed)) {
      this.mode = { kind: "alb" };
      this.albLine(text, line, out);
      return;
    }
    this.mode = { kind: "unknown" };
    this.push(out, {
      error: {
        file: this.file,
        position: 0,
        reason: "unrecognised file format: expected JSON, JSON Lines, VPC Flow Logs or ALB access logs",
      },
    });
  }

  private context(position: number): RecordContext {
    return { origin: { file: this.file, position }, positional: true };
  }

  private jsonLine(text: string, line: number, out: ReadItem[]): void {
    if (this.firstJsonLine) {
      const held = this.firstJsonLine;
      this.firstJsonLine = undefined;
      this.emitLine(held.value, held.line, out, held.text);
    }
    const trimmed = text.trim();
    if (trimmed === "") return;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      this.push(out, {
        error: { file: this.file, position: line, reason: `invalid JSON: ${(error as Error).message}` },
      });
      return;
    }
    this.emitLine(value, line, out, trimmed);
  }

  private emitLine(value: unknown, line: number, out: ReadItem[], text: string): void {
    const context = this.context(line);
    const slice = this.sink ? sliceOf(text, value, line) : undefined;
    normalizeValue(value, context, (result, index) => {
      if ("event" in result) this.push(out, { event: result.event }, slice?.(index));
      else this.push(out, { error: { file: this.file, position: line, reason: result.error } });
    });
  }

  private emitDocument(value: unknown, out: ReadItem[], fallbackLine: number, text: string): void {
    const many = Array.isArray(value) || (typeof value === "object" && value !== null && "Records" in value);
    const slice = this.sink ? sliceOf(text, value, fallbackLine) : undefined;
    normalizeValue(value, this.context(fallbackLine), (result, index) => {
      const position = many ? index + 1 : fallbackLine;
      if ("event" in result) {
        if (many) result.event.origin = { file: this.file, position };
        const found = slice?.(index);
        if (found && many) found.position = position;
        this.push(out, { event: result.event }, found);
      } else this.push(out, { error: { file: this.file, position, reason: result.error } });
    });
  }

  private wholeDocument(text: string, out: ReadItem[]): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      // Perhaps JSON Lines whose first line is damaged: keep every line that reads.
      if (!this.salvageLines(text, out)) {
        this.push(out, {
          error: { file: this.file, position: 0, reason: `invalid JSON: ${(error as Error).message}` },
        });
      }
      return;
    }
    this.emitDocument(value, out, 1, text);
  }

  private salvageLines(text: string, out: ReadItem[]): boolean {
    const lines = text.split("\n");
    const parsed = lines.map((line) => {
      try {
        return { ok: true as const, value: JSON.parse(line) as unknown };
      } catch (error) {
        return { ok: false as const, reason: (error as Error).message, blank: line.trim() === "" };
      }
    });
    if (!parsed.some((entry) => entry.ok)) return false;
    parsed.forEach((entry, index) => {
      if (entry.ok) this.emitLine(entry.value, index + 1, out, lines[index]!);
      else if (!entry.blank) {
        this.push(out, {
          error: { file: this.file, position: index + 1, reason: `invalid JSON: ${entry.reason}` },
        });
      }
    });
    return true;
  }

  private flowLine(text: string, line: number, fields: readonly string[], out: ReadItem[]): void {
    if (text.trim() === "") return;
    const result = fromFlowLine(text, fields, this.context(line), this.facts);
    if (!result) return;
    if ("event" in result) this.push(out, { event: result.event });
    else this.push(out, { error: { file: this.file, position: line, reason: result.error } });
  }

  private albLine(text: string, line: number, out: ReadItem[]): void {
    if (text.trim() === "") return;
    const result = fromAlbLine(text, this.context(line), this.facts);
    if ("event" in result) this.push(out, { event: result.event });
    else this.push(out, { error: { file: this.file, position: line, reason: result.error } });
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The slice of `text` each record of `value` was normalized from, by the record index that
 * `normalizeValue` reports; undefined where one index may stand for several records (an array
 * element that is itself a `Records` document) or the text cannot be sliced.
 */
function sliceOf(text: string, value: unknown, line: number): (index: number) => RecordSlice | undefined {
  if (isPlainObject(value) && !Array.isArray(value.Records)) {
    return () => ({ text, start: 0, end: text.length, contextPosition: line });
  }
  const bounds = recordSlices(text, value);
  if (!bounds) return () => undefined;
  const records = (Array.isArray(value) ? value : (value as { Records: unknown[] }).Records) as unknown[];
  const nested = Array.isArray(value);
  return (index) => {
    const record = records[index];
    if (!isPlainObject(record) || (nested && Array.isArray(record.Records))) return undefined;
    return { text, start: bounds[2 * index]!, end: bounds[2 * index + 1]!, contextPosition: line };
  };
}
