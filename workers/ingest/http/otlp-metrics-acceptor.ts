import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Credential } from '../../shared/http/authenticate.js';
import { HttpError } from '../../shared/http/http-error.js';
import type { FactContext } from '../domain/parse-request-fact.js';
import { CumulativeSeries } from '../otlp/cumulative-series.js';
import { decodeMetricsRequest } from '../otlp/decode-trace-request.js';
import {
  countMetricBuckets,
  describeMetricsNotes,
  MalformedMetricsRequestError,
  mapMetricsRequest,
  type MappedMetricsRequest,
} from '../otlp/map-metrics-request.js';
import { writeMetricsResponse, type OtlpEncoding } from '../otlp/otlp-answers.js';
import type { IngestAppDeps } from './ingest-app.js';
import { appendOtlpRecordsDurably, readChargedBody } from './otlp-traces-acceptor.js';
import { admitBeforeRead, admitItems, admitTurn, onCpuTurn, recordAccepted } from './tenant-admission.js';

function admitBuckets(deps: IngestAppDeps, tenant: string, request: unknown): void {
  const candidates = countMetricBuckets(request);
  if (candidates > deps.limits.maxItemsPerBatch) {
    throw new HttpError(
      413,
      'BATCH_TOO_LARGE',
      `request holds up to ${candidates} histogram buckets; the limit is ${deps.limits.maxItemsPerBatch}`,
    );
  }
  admitItems(deps.rates, tenant, candidates);
}

function mapOrRefuse(
  request: unknown,
  ctx: FactContext,
  now: number,
  series: CumulativeSeries,
): MappedMetricsRequest {
  try {
    return mapMetricsRequest(request, ctx, now, series);
  } catch (error) {
    if (error instanceof MalformedMetricsRequestError) throw new HttpError(400, error.code, error.message);
    throw error;
  }
}

/**
 * POST /v1/metrics after the API key, with the admission, durability and acknowledgement rule of /v1/traces
 * (otlp-traces-acceptor.ts): histogram buckets are the items. Cumulative series advance only after the frame is
 * durable (cumulative-series.ts), so a refused export is counted when it is retried.
 */
export function buildOtlpMetricsAcceptor(
  deps: IngestAppDeps,
  contextFor: (tenant: string, now: number) => FactContext,
) {
  const series = new CumulativeSeries(BigInt(deps.now?.() ?? Date.now()) * 1_000_000n);
  return async (req: IncomingMessage, res: ServerResponse, key: Credential, encoding: OtlpEncoding) => {
    const { tenant } = key;
    const declared = admitBeforeRead(deps.wal, deps.limits, deps.rates, req, tenant);
    const release = await admitTurn(deps.turns, tenant);
    let mapped: MappedMetricsRequest;
    let bytes = 0;
    try {
      const body = await readChargedBody(deps, req, tenant, declared);
      bytes = body.length;
      mapped = await onCpuTurn(deps.cpuTurns, tenant, bytes, () => {
        const request = decodeMetricsRequest(body, encoding, deps.limits.maxJsonDepth);
        admitBuckets(deps, tenant, request);
        const now = deps.now?.() ?? Date.now();
        return mapOrRefuse(request, contextFor(tenant, now), now, series);
      });
    } finally {
      release();
    }
    await appendOtlpRecordsDurably(deps, tenant, mapped.records, 'data points');
    mapped.commit();
    deps.metrics.factsAccepted.inc({ tenant }, mapped.accepted);
    recordAccepted(deps.rates, tenant, mapped.accepted, bytes);
    for (const e of mapped.rejected) deps.metrics.factsRejected.inc({ tenant, code: e.code });
    writeMetricsResponse(res, encoding, mapped.rejected, mapped.dataPoints, describeMetricsNotes(mapped));
  };
}
