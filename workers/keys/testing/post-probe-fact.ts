/** Posts one fresh fact with a key to an ingest server: the request the key tests judge a key by. */
export function postProbeFact(ingestUrl: string, key: string): Promise<Response> {
  return fetch(`${ingestUrl}/api/v1/facts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      event_id: `probe-${Math.random()}`,
      timestamp: Date.now(),
      service: 'probe',
      method: 'GET',
      path: '/',
      status_code: 200,
      latency_ms: 1,
    }),
  });
}
