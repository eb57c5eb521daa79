import { mayBeSlowest, offerExemplar, type RowExemplars } from '../../domain/request-exemplars.js';
import type { ScannedFact } from './raw-fact-scanner.js';

/**
 * Offers a scanned fact (byte ranges into `buf`) to its row's exemplars. The strings are only built when the
 * fact can win: most facts are neither the slowest so far nor a 5xx, and cost one comparison.
 */
export function offerScannedExemplar(row: RowExemplars, buf: Buffer, fact: ScannedFact): void {
  if (fact.traceStart < 0 || fact.traceEnd === fact.traceStart) return;
  if (fact.status_code < 500 && !mayBeSlowest(row, fact.latency_ms)) return;
  offerExemplar(row, {
    traceId: buf.toString('utf8', fact.traceStart, fact.traceEnd),
    spanId:
      fact.spanStart < 0 || fact.spanEnd === fact.spanStart
        ? null
        : buf.toString('utf8', fact.spanStart, fact.spanEnd),
    latencyMs: fact.latency_ms,
    statusCode: fact.status_code,
    ts: fact.ts,
  });
}
