/**
 * CSV for auditors' spreadsheets (RFC 4180). Every cell is attacker-influenced text, so besides
 * quoting, a cell that a spreadsheet would run as a formula (leading `=`, `+`, `-`, `@`, tab or
 * carriage return) is prefixed with `'` and shown as text.
 */

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell, neutralised and quoted when needed. */
export function csvCell(value: unknown): string {
  let text = value === undefined || value === null ? "" : typeof value === "string" ? value : JSON.stringify(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A CSV document: a header row then one row per record, CRLF line ends. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const lines = [header, ...rows].map((row) => row.map(csvCell).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
