/** The abusive-tenant bench's traffic: its facts, and the abuser's one request. */

/** One fact; the abuser gives each a new service. */
export function fact(id: string, service: string, i: number) {
  return {
    event_id: id,
    timestamp: Date.now(),
    service,
    method: 'GET',
    path: `/api/items/${i % 50}`,
    status_code: i % 25 === 0 ? 500 : 200,
    latency_ms: 3 + (i % 97),
  };
}

/**
 * Posts one of the abuser's batches: its answer's status, or 0 when the connection ended without an answer (a
 * refusal before the body was read closes the connection, docs/adr/0119; the abuser sends again).
 */
export async function postAbuserBatch(port: number, body: string): Promise<number> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/facts`, {
      method: 'POST',
      headers: { authorization: 'Bearer abuser', 'content-type': 'application/json' },
      body,
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}
