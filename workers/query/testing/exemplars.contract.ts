import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import type { RawFact } from '../../domain/raw-record.js';
import { runRollupOnce } from '../../rollup/app/run-rollup-once.js';
import { chunk, putRawSegment } from '../../rollup/testing/raw-segments.js';
import { RollupManifests } from '../adapters/rollup-manifests.js';
import type { ExemplarRow, QueryEngine } from '../app/query-engine.js';
import { QueryService } from '../app/query-service.js';
import { compareExemplars } from '../domain/exemplar-order.js';
import { parseTraceUrlTemplate } from '../domain/trace-url-template.js';
import { rewriteAsLegacyFiles } from './legacy-metrics-files.js';

const tenant = 'exemplars';
const hour = 3_600_000;
const day = 24 * hour;
/** Hours 10 and 11 are rolled up as today's rollup writes them; hour 12 is rewritten as files from before exemplars. */
const from = Date.parse('2026-11-22T10:00:00Z');
const hostile = `o'k"; --\\ $1 ?`;
const routes = [
  ['checkout', 'GET', '/cart/:id'],
  ['checkout', 'POST', '/orders'],
  ['search', 'GET', '/q'],
  [hostile, 'GET', `/${hostile}`],
] as const;

/**
 * Three hours of facts, two endpoints per minute on average: every 5th without a trace id (the overall slowest
 * among them, so a skipped fact would show), 5xx every 7th, latencies with many ties, and trace ids of hostile
 * text among the 32-hex ones (a posted fact's trace id is client text).
 */
export function buildExemplarFacts(): RawFact[] {
  return Array.from({ length: 540 }, (_, i) => {
    const [service, method, path] = routes[(i * 7) % routes.length]!;
    const traced = i % 5 !== 0;
    return {
      kind: 'fact',
      tenant,
      event_id: `x${i}`,
      ts: from + i * 20_000 + (i % 3),
      service,
      method,
      path,
      status_code: i % 7 === 0 ? 500 + (i % 4) : 200,
      latency_ms: i % 5 === 0 ? 10_000 + i : ((i * 37) % 23) * 1.5,
      ...(traced && {
        trace_id: i % 11 === 0 ? `${hostile}${i % 2}` : i.toString(16).padStart(32, '0'),
        ...(i % 3 !== 0 && { span_id: i.toString(16).padStart(16, 'f') }),
      }),
    };
  });
}

/**
 * What the rollup keeps and the API must list, computed from the facts without the rollup's code: per minute and
 * endpoint the slowest traced request (ties: smaller trace id, then span id) and the latest traced 5xx (ties:
 * slower, then the same), in domain/exemplar-order.ts's order. Hour 12's files are older than exemplars: none.
 */
export function expectedExemplars(facts: readonly RawFact[], kind: 'slowest' | 'failed'): ExemplarRow[] {
  const rows = new Map<string, ExemplarRow[]>();
  for (const f of facts) {
    if (!f.trace_id || f.ts >= from + 2 * hour) continue;
    if (kind === 'failed' && f.status_code < 500) continue;
    const minute = Math.floor(f.ts / 60_000) * 60_000;
    const key = JSON.stringify([minute, f.service, f.method, f.path]);
    const row = { minute, service: f.service, method: f.method, path: f.path };
    const request = {
      traceId: f.trace_id,
      spanId: f.span_id ?? null,
      latencyMs: f.latency_ms,
      statusCode: f.status_code,
      t: f.ts,
    };
    rows.set(key, [...(rows.get(key) ?? []), { ...row, ...request }]);
  }
  const better = (a: ExemplarRow, b: ExemplarRow) => {
    const first = kind === 'slowest' ? [b.latencyMs - a.latencyMs] : [b.t - a.t, b.latencyMs - a.latencyMs];
    return (
      first.find((d) => d !== 0) ??
      (a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : (a.spanId ?? '') < (b.spanId ?? '') ? -1 : 1)
    );
  };
  return [...rows.values()].map((candidates) => candidates.sort(better)[0]!).sort(compareExemplars(kind));
}

async function loadExemplarData(store: ObjectStore, facts: readonly RawFact[]): Promise<void> {
  let seq = 0;
  for (const h of [0, 1, 2]) {
    const inHour = facts.filter((f) => f.ts >= from + h * hour && f.ts < from + (h + 1) * hour);
    for (const records of chunk(inHour, 100))
      await putRawSegment(store, records, { ingester: 'exemplars', seq: ++seq });
  }
  await runRollupOnce({
    store,
    nowMs: from + 30 * day,
    latenessMs: 0,
    rawRetentionMs: 365 * day,
    metricsRetentionMs: 365 * day,
    applyRetention: false,
  });
  await rewriteAsLegacyFiles(store, tenant, (key) => key.includes('/hour=12/'));
}

const withoutUrl = ({ traceUrl: _, ...e }: { traceUrl: string | null } & ExemplarRow) => e;

/**
 * GET /api/v1/exemplars over a real engine (QueryService, so the answer is the API's): the slowest requests and
 * the latest 5xx of a range exactly as an independent oracle picks them from the facts, filters, limits and
 * truncation, hostile text as data, minutes without trace ids and files from before exemplars listing nothing,
 * and each exemplar's trace link from the configured template.
 */
export function describeExemplarsContract(
  name: string,
  open: () => Promise<{ engine: QueryEngine; store: ObjectStore }>,
): void {
  describe(`exemplars API contract: ${name}`, () => {
    const facts = buildExemplarFacts();
    const range = { from, to: from + 3 * hour };
    let service: QueryService;
    beforeAll(async () => {
      const { engine, store } = await open();
      await loadExemplarData(store, facts);
      const traceUrl = parseTraceUrlTemplate('http://127.0.0.1:16686/trace/{traceId}?span={spanId}');
      service = new QueryService(engine, new RollupManifests(store, { maxAgeMs: 0 }), { traceUrl });
    }, 900_000);

    it('lists the slowest traced request of every minute and endpoint, slowest first, with its trace link', async () => {
      const answer = await service.exemplars(tenant, { ...range, kind: 'slowest', limit: 100 });
      const expected = expectedExemplars(facts, 'slowest');
      expect(expected.length).toBeGreaterThan(100);
      expect(answer.truncated).toBe(true);
      expect(answer.exemplars.map(withoutUrl)).toEqual(expected.slice(0, 100));
      const first = answer.exemplars[0]!;
      expect(first.traceUrl).toBe(
        `http://127.0.0.1:16686/trace/${encodeURIComponent(first.traceId)}?span=${encodeURIComponent(first.spanId ?? '')}`,
      );
      // The slowest facts of all carried no trace id: none of them is listed.
      expect(Math.max(...answer.exemplars.map((e) => e.latencyMs))).toBeLessThan(10_000);
    }, 300_000);

    it("lists one endpoint's latest 5xx newest first, and cuts at the limit", async () => {
      const [svc, method, path] = routes[0];
      const expected = expectedExemplars(facts, 'failed').filter((e) => e.service === svc && e.path === path);
      const all = await service.exemplars(tenant, {
        ...range,
        service: svc,
        method,
        path,
        kind: 'error',
        limit: 100,
      });
      expect(all.exemplars.map(withoutUrl)).toEqual(expected);
      expect(all.truncated).toBe(false);
      expect(all.exemplars.every((e) => e.statusCode >= 500)).toBe(true);
      const cut = await service.exemplars(tenant, {
        ...range,
        service: svc,
        method,
        path,
        kind: 'error',
        limit: 2,
      });
      expect(cut.exemplars.map(withoutUrl)).toEqual(expected.slice(0, 2));
      expect(cut.truncated).toBe(true);
    }, 300_000);

    it('finds a service, path and trace ids of hostile text as data, and nothing for a prefix of them', async () => {
      const expected = expectedExemplars(facts, 'slowest').filter((e) => e.service === hostile);
      expect(expected.some((e) => e.traceId.startsWith(hostile))).toBe(true);
      const answer = await service.exemplars(tenant, {
        ...range,
        service: hostile,
        path: `/${hostile}`,
        kind: 'slowest',
        limit: 100,
      });
      expect(answer.exemplars.map(withoutUrl)).toEqual(expected);
      const prefix = await service.exemplars(tenant, {
        ...range,
        service: hostile.slice(0, 4),
        kind: 'slowest',
        limit: 10,
      });
      expect(prefix.exemplars).toEqual([]);
    }, 300_000);

    it('lists nothing for minutes read from files written before exemplars', async () => {
      const older = { from: from + 2 * hour, to: from + 3 * hour };
      for (const kind of ['slowest', 'error'] as const)
        expect((await service.exemplars(tenant, { ...older, kind, limit: 10 })).exemplars).toEqual([]);
    }, 300_000);
  });
}
