import { expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { buildDataFileKey, buildOpenHourTileKey } from '../../domain/metrics-layout.js';
import type { RawFact } from '../../domain/raw-record.js';
import { encodeMinuteFile } from '../../rollup/adapters/metrics-files.js';
import { decodeRequestMetrics, encodeServiceMetrics } from '../../rollup/adapters/metrics-parquet.js';
import { refreshOpenHourTiles } from '../../rollup/app/refresh-open-hour-tiles.js';
import { runRollupOnce } from '../../rollup/app/run-rollup-once.js';
import { putRawSegment } from '../../rollup/testing/raw-segments.js';
import { buildSeededFacts, exactQuantile } from '../../rollup/testing/seeded-raw-events.js';
import { RollupManifests } from '../adapters/rollup-manifests.js';
import type { QueryService } from '../app/query-service.js';

/**
 * An hour still open (docs/adr/0123): 2026-11-23 10:00-10:52, its own tenant, read at 10:52:40 with the
 * default 5-minute lateness, so its open-hour tiles cover the first 47 minutes. After the contract's rollup,
 * loadOpenHour builds those tiles and rewrites the hour's per-endpoint minute file without the minutes they cover:
 * an exact endpoint table can then only have read the per-endpoint tile for them (no deployment removes minute
 * rows; here they are gone so the test cannot pass by reading them). Per-service statements read the open hour
 * from minute rows, never from the per-service tile (docs/adr/0138): that tile is emptied, so a chart or service
 * list that read it would miss the 47 minutes.
 */
export const openHourTenant = 'openhour';
const minute = 60_000;
const hour = 60 * minute;
const openHourStart = Date.parse('2026-11-23T10:00:00Z');
const openHourMinutes = 47;
const openHourNow = openHourStart + 52 * minute + 40_000;
const partition = { tenant: openHourTenant, date: '2026-11-23', hour: '10' };
const policy = { nowMs: openHourNow, latenessMs: 5 * minute };

export const openHourFacts = buildSeededFacts({
  seed: 13,
  count: 1500,
  tenant: openHourTenant,
  fromMs: openHourStart,
  spanMs: 52 * minute,
  idPrefix: 'oh',
});

/**
 * The tiles at 10:52:40, then the per-endpoint minute file without the minutes its tile covers and the per-service
 * tile without rows.
 */
export async function loadOpenHour(store: ObjectStore): Promise<void> {
  const report = await refreshOpenHourTiles(store, policy, pino({ level: 'silent' }));
  if (report.built !== 1) throw new Error(`expected one open-hour build, got ${report.built}`);
  const tileEnd = openHourStart + openHourMinutes * minute;
  const requestKey = buildDataFileKey('request_metrics_minute', partition);
  const request = decodeRequestMetrics((await store.get(requestKey))!.body);
  await store.put(requestKey, encodeMinuteFile(request.filter((r) => r.minuteMs >= tileEnd)));
  const serviceTile = buildOpenHourTileKey(partition, openHourMinutes, 'service_metrics_open_hour');
  await store.put(serviceTile, encodeServiceMetrics('hour', []));
}

const is5xx = (f: RawFact) => f.status_code >= 500;

function expectExact(
  row: { requests: number; errors5xx: number; p50: number | null; p95: number | null; p99: number | null },
  subset: readonly RawFact[],
): void {
  expect([row.requests, row.errors5xx]).toEqual([subset.length, subset.filter(is5xx).length]);
  // Within 1% of the exact order statistic, as the query-engine contract checks every percentile.
  const sorted = subset.map((f) => f.latency_ms).sort((a, b) => a - b);
  for (const [q, value] of [
    [0.5, row.p50],
    [0.95, row.p95],
    [0.99, row.p99],
  ] as const) {
    const exact = exactQuantile(sorted, q);
    expect(value).not.toBeNull();
    expect(Math.abs(value! - exact)).toBeLessThanOrEqual(exact * 0.01 + 1e-9);
  }
}

/** Charts at hourly steps, the service list and the endpoint table of a day ending in the open hour. */
async function expectAnswersExact(service: QueryService, facts: readonly RawFact[]): Promise<void> {
  const [from, to] = [openHourStart - 24 * hour, openHourNow];
  const [chart, listed, table] = await Promise.all([
    service.timeseries({ tenant: openHourTenant, from, to, stepMs: hour }),
    service.services(openHourTenant, from, to, 1000),
    service.endpoints(openHourTenant, from, to, 'p95', 1000),
  ]);
  const open = chart.points.filter((p) => p.requests > 0);
  expect(open.map((p) => p.t)).toEqual([openHourStart]);
  expectExact(open[0]!, facts);
  for (const s of listed.services)
    expect(s.requests).toBe(facts.filter((f) => f.service === s.service).length);
  expect(table.endpoints.reduce((sum, e) => sum + e.requests, 0)).toBe(facts.length);
  for (const e of table.endpoints) {
    const subset = facts.filter((f) => f.service === e.service && f.method === e.method && f.path === e.path);
    expectExact(e, subset);
  }
}

/**
 * Late facts the contract has added so far: suites that share one copy of the data (DuckDB's two runs) each add
 * one, and each answer must count every one added before it.
 */
const lateFacts: RawFact[] = [];

/**
 * The contract's open-hour cases; `ctx` gives the suite's service, the store it reads with and the store rollup
 * writes with, once its beforeAll ran.
 */
export function itReadsOpenHourTiles(
  ctx: () => { service: QueryService; store: ObjectStore; writer: ObjectStore },
): void {
  it("reads an open hour's closed minutes exactly: from the per-endpoint tile for tables, from minute rows for charts and lists", async () => {
    const { service, store } = ctx();
    expect((await new RollupManifests(store).tiles(openHourTenant)).openHours).toEqual(
      new Map([[openHourStart, openHourMinutes]]),
    );
    await expectAnswersExact(service, [...openHourFacts, ...lateFacts]);
  });

  it('rebuilds the open-hour tiles when a late fact lands in a closed minute, and the next answer counts it', async () => {
    const { service, writer } = ctx();
    const [first] = openHourFacts;
    const late: RawFact = {
      ...first!,
      event_id: `oh-late-${lateFacts.length}`,
      ts: openHourStart + 5 * minute,
      latency_ms: 4321,
    };
    await putRawSegment(writer, [late], { seq: 900_000 + lateFacts.length });
    lateFacts.push(late);
    await runRollupOnce({
      store: writer,
      ...policy,
      includeOpen: true,
      fromMs: openHourStart,
      toMs: openHourStart + hour,
      rawRetentionMs: 365 * 24 * hour,
      metricsRetentionMs: 365 * 24 * hour,
      applyRetention: false,
      dayTiles: false,
    });
    const report = await refreshOpenHourTiles(writer, policy, pino({ level: 'silent' }));
    expect(report.built).toBe(1);
    await expectAnswersExact(service, [...openHourFacts, ...lateFacts]);
  });
}
