import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { AlertSelector } from '../../../crds/gravix-alert-rule-spec.js';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import { MinuteMetricsAggregator } from '../../domain/minute-metrics.js';
import type { RawFact } from '../../domain/raw-record.js';
import { buildSeededRandom } from '../../domain/seeded-random.js';
import { DuckDbQueryEngine } from '../../query/adapters/duckdb-query-engine.js';
import { runRollupOnce } from '../../rollup/app/run-rollup-once.js';
import { chunk, putRawSegment } from '../../rollup/testing/raw-segments.js';
import type { SeriesWindow } from '../domain/series-window.js';
import { EngineAlertData } from './engine-alert-data.js';
import { MinuteRowsAlertData } from './minute-rows-alert-data.js';

const minute = 60_000;
const hour = 3_600_000;
const day = 86_400_000;
// 22:00 of one day to 01:00 two days later: a whole UTC day (a day tile) between two open ends.
const start = Math.floor(Date.now() / day) * day - 3 * day + 22 * hour;
const end = start + 27 * hour;
const endpoints = [
  ['checkout', 'POST', '/orders'],
  ['checkout', 'GET', '/orders/:id'],
  ['search', 'GET', '/q'],
  ['search', 'GET', '/suggest'],
  ['pay-ments', 'POST', '/charge'],
] as const;

/** Sparse, mixed traffic: gaps, 5xx/4xx/3xx, zero and heavy-tailed latencies. */
function buildFacts(): RawFact[] {
  const random = buildSeededRandom(20);
  const facts: RawFact[] = [];
  for (let t = start; t < end; t += minute) {
    for (const [service, method, path] of endpoints) {
      if (random() > 0.3) continue;
      const n = 1 + Math.floor(random() * 3);
      for (let i = 0; i < n; i++) {
        const roll = random();
        facts.push({
          kind: 'fact',
          tenant: 'acme',
          event_id: `f${facts.length}`,
          ts: t + Math.floor(random() * minute),
          service,
          method,
          path,
          status_code: roll < 0.05 ? 503 : roll < 0.1 ? 404 : roll < 0.15 ? 302 : 200,
          latency_ms: random() < 0.02 ? 0 : Math.exp(2 + 1.5 * random()) * (random() < 0.03 ? 40 : 1),
        });
      }
    }
  }
  return facts;
}

const sortKey = (w: SeriesWindow) => `${w.service}|${w.method}|${w.path}`;
const sorted = (rows: SeriesWindow[]) => [...rows].sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
const selector = (s: Partial<AlertSelector>): AlertSelector => ({
  tenant: 'acme',
  service: '*',
  method: '*',
  route: '*',
  each: 'service',
  ...s,
});
const selectors = [
  selector({}),
  selector({ each: 'endpoint' }),
  selector({ each: 'none' }),
  selector({ service: 'checkout', each: 'endpoint' }),
  selector({ service: 'pay-*' }),
  selector({ route: '/orders*', each: 'endpoint' }),
  selector({ method: 'GET' }),
];

/**
 * The scenario bench answers its windows from minute rows in memory (MinuteRowsAlertData). This holds it to the
 * real path: the same facts rolled up by the real rollup into Parquet and read by the alert worker's
 * EngineAlertData through DuckDB (minute ends, hours and a day tile) give identical windows.
 */
describe('MinuteRowsAlertData answers what the rollup and DuckDB answer', () => {
  let dir: string;
  let engine: DuckDbQueryEngine;
  let memory: MinuteRowsAlertData;
  const viaEngine = () => new EngineAlertData(engine);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gx-alert-rows-'));
    const store = new LocalObjectStore(dir);
    const facts = buildFacts();
    const byHour = new Map<number, RawFact[]>();
    for (const f of facts)
      byHour.set(Math.floor(f.ts / hour), [...(byHour.get(Math.floor(f.ts / hour)) ?? []), f]);
    let seq = 0;
    for (const part of byHour.values())
      for (const piece of chunk(part, 400)) await putRawSegment(store, piece, { seq: ++seq });
    const summary = await runRollupOnce({
      store,
      latenessMs: 0,
      includeOpen: true,
      rawRetentionMs: 30 * day,
      metricsRetentionMs: 30 * day,
      scanThreads: 0,
    });
    expect(summary.failed).toEqual([]);
    engine = await DuckDbQueryEngine.open(dir);
    const aggregator = new MinuteMetricsAggregator();
    for (const f of facts) aggregator.add(f);
    memory = MinuteRowsAlertData.fromMinuteRows(aggregator.rows());
  }, 180_000);

  afterAll(async () => {
    await engine?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the same windows for every fan-out and glob over a 5-minute, hour-crossing, day-tile and 30-day span', async () => {
    const spans: [number, number][] = [
      [start + 58 * minute, start + 63 * minute],
      [start + 2 * hour - 5 * minute, start + 2 * hour],
      [start + 2 * hour, start + 26 * hour],
      [start + 90 * minute, start + 25 * hour + 7 * minute],
      [end - 30 * day, end],
    ];
    for (const s of selectors)
      for (const [from, to] of spans) {
        const expected = sorted(await viaEngine().windows('acme', s, from, to));
        expect(expected.length).toBeGreaterThan(0);
        expect(sorted(await memory.windows('acme', s, from, to))).toEqual(expected);
      }
  }, 120_000);

  it('gives the same windows for any minute-aligned range (property)', async () => {
    const minutes = (end - start) / minute;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: -30, max: minutes }),
        fc.integer({ min: 1, max: minutes }),
        fc.constantFrom(...selectors),
        async (offset, length, s) => {
          const from = start + offset * minute;
          const to = from + length * minute;
          const expected = sorted(await viaEngine().windows('acme', s, from, to));
          expect(sorted(await memory.windows('acme', s, from, to))).toEqual(expected);
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});
