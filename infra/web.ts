/**
 * The dashboard site's response headers on CloudFront: the same strict policy `riposte serve`
 * sends, with the API and WebSocket origins (another host on AWS) allowed for `connect-src`.
 * CloudFront Functions add them (a viewer-response function), so the site needs no server.
 */

function originOf(url: string, protocols: readonly string[]): string {
  const parsed = new URL(url);
  if (!protocols.includes(parsed.protocol)) throw new Error(`${url} is not a ${protocols.join(" or ")} URL`);
  return parsed.origin === "null" ? `${parsed.protocol}//${parsed.host}` : parsed.origin;
}

export function dashboardSecurityHeaders(apiUrl: string, wsUrl: string): Record<string, string> {
  const api = originOf(apiUrl, ["https:"]);
  const live = originOf(wsUrl, ["wss:"]);
  return {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "strict-transport-security": "max-age=31536000; includeSubDomains",
    "content-security-policy": [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      `connect-src 'self' ${api} ${live}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'self'",
    ].join("; "),
    "cross-origin-opener-policy": "same-origin",
  };
}

/** The code injected into the site's viewer-response CloudFront Function (values JSON-quoted). */
export function headersInjection(headers: Record<string, string>): string {
  return Object.entries(headers)
    .map(([name, value]) => `event.response.headers[${JSON.stringify(name)}] = { value: ${JSON.stringify(value)} };`)
    .join("\n");
}
