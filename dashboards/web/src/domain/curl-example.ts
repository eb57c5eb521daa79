export const INGEST_KEY_PLACEHOLDER = '<YOUR_INGEST_KEY>';

/** Where the page was opened; `host` includes the page's port. */
export interface PageLocation {
  protocol: string;
  hostname: string;
  host: string;
}

/**
 * The ingestion base URL for the first-event curl. The query server tells the page the ingest port it really has
 * (`gravix dev`, whose ports may be free ones); without one ingestion shares the page's origin, as behind a
 * pipeline's Ingress. Never a guessed constant: a wrong port makes a newcomer's first command fail.
 */
export function buildIngestBaseUrl(location: PageLocation, ingestPort: number | null): string {
  if (ingestPort === null) return `${location.protocol}//${location.host}`;
  const host = location.hostname.includes(':') ? `[${location.hostname}]` : location.hostname;
  return `${location.protocol}//${host}:${ingestPort}`;
}

/** Reads the port the server wrote into the app shell; anything but a port number means "same origin". */
export function parseIngestPort(content: string | null | undefined): number | null {
  if (!content || !/^\d{1,5}$/.test(content)) return null;
  const port = Number(content);
  return port >= 1 && port <= 65535 ? port : null;
}

/** The command a newcomer pastes to send a first event. The key stays a placeholder: the dashboard never knows ingest keys. */
export function buildCurlExample(location: PageLocation, ingestPort: number | null, now: number): string {
  const body = JSON.stringify({
    event_id: `first-${now}`,
    timestamp: now,
    service: 'checkout',
    method: 'GET',
    path: '/orders/42',
    status_code: 200,
    latency_ms: 12,
  });
  return [
    `curl -X POST ${buildIngestBaseUrl(location, ingestPort)}/api/v1/facts \\`,
    `  -H 'Authorization: Bearer ${INGEST_KEY_PLACEHOLDER}' \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d '${body}'`,
  ].join('\n');
}
