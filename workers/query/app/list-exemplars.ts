import type { ExemplarsResponse } from '../api-types.js';
import { fillTraceUrl, type TraceUrlTemplate } from '../domain/trace-url-template.js';
import type { ExemplarsQuery, QueryEngine } from './query-engine.js';

export const defaultExemplarsLimit = 10;
export const maxExemplarsLimit = 100;

/** What GET /api/v1/exemplars asks: the API's kind names (`error` is the stored `failed` exemplar). */
export interface ExemplarsRequest extends Omit<ExemplarsQuery, 'tenant' | 'kind' | 'signal'> {
  kind: ExemplarsResponse['kind'];
}

const storedKind = { slowest: 'slowest', error: 'failed' } as const;

/** The range's first `limit` exemplars of a kind, each with its trace link when a template is configured. */
export async function listExemplars(
  engine: QueryEngine,
  tenant: string,
  request: ExemplarsRequest,
  traceUrl: TraceUrlTemplate | undefined,
  signal?: AbortSignal,
): Promise<ExemplarsResponse> {
  const { limit } = request;
  // One row more than asked for tells whether the answer is truncated.
  const rows = await engine.exemplars({
    ...request,
    tenant,
    kind: storedKind[request.kind],
    limit: limit + 1,
    signal,
  });
  return {
    from: request.from,
    to: request.to,
    kind: request.kind,
    truncated: rows.length > limit,
    exemplars: rows.slice(0, limit).map((r) => ({
      t: r.t,
      minute: r.minute,
      service: r.service,
      method: r.method,
      path: r.path,
      traceId: r.traceId,
      spanId: r.spanId,
      latencyMs: r.latencyMs,
      statusCode: r.statusCode,
      traceUrl: traceUrl ? fillTraceUrl(traceUrl, r.traceId, r.spanId) : null,
    })),
  };
}
