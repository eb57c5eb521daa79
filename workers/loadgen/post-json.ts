/** The ingest URL did not answer at all (refused, unknown host, reset): the user's --url is wrong or nothing runs there. */
export class IngestUnreachableError extends Error {
  readonly code = 'INGEST_UNREACHABLE';
}

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
  }).catch((error: unknown) => {
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, ...) is its cause.
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? String(error);
    throw new IngestUnreachableError(
      `cannot reach the ingest server at ${url} (${reason}): check --url, and that gravix ingest or gravix dev runs there`,
    );
  });
  const answer: unknown = await res.json().catch(() => null);
  const retryAfter = Number(res.headers.get('retry-after') ?? 1);
  return { status: res.status, answer, retryAfterMs: Number.isFinite(retryAfter) ? retryAfter * 1000 : 1000 };
}
