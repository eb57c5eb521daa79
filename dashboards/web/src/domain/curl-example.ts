/** `gravix dev` serves ingestion on this port beside the dashboard's 8080. */
export const DEV_INGEST_PORT = 8081;

export const INGEST_KEY_PLACEHOLDER = '<YOUR_INGEST_KEY>';

/**
 * The command a newcomer pastes to send a first event, pointed at the host they opened the dashboard on.
 * The key stays a placeholder: the dashboard never knows ingest keys.
 */
export function buildCurlExample(location: { protocol: string; hostname: string }, now: number): string {
  const host = location.hostname.includes(':') ? `[${location.hostname}]` : location.hostname;
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
    `curl -X POST ${location.protocol}//${host}:${DEV_INGEST_PORT}/api/v1/facts \\`,
    `  -H 'Authorization: Bearer ${INGEST_KEY_PLACEHOLDER}' \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d '${body}'`,
  ].join('\n');
}
