import { InvalidInput } from "../errors.js";

/**
 * Keyset pagination shared by every store: incidents are listed newest first by
 * (`createdAt`, `id`), and a cursor is the position of the last item returned. Unlike an offset,
 * it stays correct while new incidents arrive, and it means the same thing on every store.
 */

export interface CursorPosition {
  createdAt: string;
  id: string;
}

/** Encode a position as an opaque, URL-safe cursor. */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id]), "utf8").toString("base64url");
}

/** Decode a cursor; a cursor that was not produced by `encodeCursor` is an `InvalidInput`. */
export function decodeCursor(cursor: string): CursorPosition {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new InvalidInput("cursor is invalid: pass back the nextCursor of a previous page");
  }
  const [createdAt, id] = Array.isArray(value) && value.length === 2 ? value : [];
  if (typeof createdAt !== "string" || typeof id !== "string") {
    throw new InvalidInput("cursor is invalid: pass back the nextCursor of a previous page");
  }
  return { createdAt, id };
}

/** Newest first, then by id descending (plain code-unit order, the same in every store). */
export function compareNewestFirst(a: CursorPosition, b: CursorPosition): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  if (a.id === b.id) return 0;
  return a.id < b.id ? 1 : -1;
}

/** Whether `item` comes strictly after the cursor position in newest-first order. */
export function isAfterCursor(item: CursorPosition, cursor: CursorPosition): boolean {
  return compareNewestFirst(item, cursor) > 0;
}
