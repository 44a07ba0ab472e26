/**
 * Save a blob as a file. The audit export needs the bearer token, so it cannot be a plain link:
 * it is fetched, then handed to the browser through a temporary object URL.
 */
export function saveBlob(blob: Blob, filename: string, doc: Document = document): void {
  const url = URL.createObjectURL(blob);
  const link = doc.createElement("a");
  link.href = url;
  link.download = filename;
  link.rel = "noopener";
  doc.body.append(link);
  link.click();
  link.remove();
  // Revoke later: some browsers start the download asynchronously.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file name safe on every OS, from an incident id (which is ours, but be strict anyway). */
export function auditFileName(incidentId: string, format: "json" | "csv"): string {
  const safe = incidentId.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 100) || "incident";
  return `riposte-audit-${safe}.${format}`;
}
