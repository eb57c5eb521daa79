/** One POST of a JSON body to the ingest API: its status, its JSON answer, and for 429/503 how long to wait. */
export async function postJson(
  url: string,
  key: string,
  path: string,
  body: unknown,
): Promise<{ status: number; answer: unknown; retryAfterMs: number }> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer: unknown = await res.json().catch(() => null);
  const retryAfter = Number(res.headers.get('retry-after') ?? 1);
  return { status: res.status, answer, retryAfterMs: Number.isFinite(retryAfter) ? retryAfter * 1000 : 1000 };
}
