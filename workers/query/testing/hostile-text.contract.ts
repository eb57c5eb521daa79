import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import type { RawFact, RawServiceEvent } from '../../domain/raw-record.js';
import { runRollupOnce } from '../../rollup/app/run-rollup-once.js';
import { putRawSegment } from '../../rollup/testing/raw-segments.js';
import { RollupManifests } from '../adapters/rollup-manifests.js';
import type { QueryEngine } from '../app/query-engine.js';
import { QueryService } from '../app/query-service.js';
import { sampleHostileTexts } from './hostile-text.js';

const tenant = 'hostile';
const from = Date.parse('2026-11-21T10:00:00Z');
const to = from + 3_600_000;
const day = 86_400_000;

/** Name i has i + 1 facts (one a 500); its method and path are the next names, so every value sits in every column. */
function buildHostileData(names: readonly string[]) {
  const at = (i: number) => names[i % names.length]!;
  const facts: RawFact[] = names.flatMap((service, i) =>
    Array.from({ length: i + 1 }, (_, k) => ({
      kind: 'fact' as const,
      tenant,
      event_id: `h${i}-${k}`,
      ts: from + i * 60_000 + k * 1000,
      service,
      method: at(i + 1),
      path: `/${at(i + 2)}`,
      status_code: k === 0 ? 500 : 200,
      latency_ms: i + 1,
    })),
  );
  const events: RawServiceEvent[] = names.map((service, i) => ({
    kind: 'event',
    tenant,
    event_id: `ev${i}`,
    ts: from + i * 60_000,
    type: 'deploy',
    service,
    version: at(i + 3),
    description: at(i + 4),
  }));
  return { facts, events };
}

async function loadHostileData(store: ObjectStore, names: readonly string[]): Promise<void> {
  const { facts, events } = buildHostileData(names);
  await putRawSegment(store, [...facts, ...events], { ingester: 'hostile', seq: 1 });
  await runRollupOnce({
    store,
    nowMs: from + 30 * day,
    latenessMs: 0,
    rawRetentionMs: 365 * day,
    metricsRetentionMs: 365 * day,
    applyRetention: false,
  });
}

/**
 * Hostile text (quotes, backslashes, `'; DROP`, both engines' placeholders, LIKE wildcards, composed and
 * decomposed unicode, plus generated graphemes) stored as service, method, path and event fields, then used as
 * every filter the query API has: each comes back as the same data with exactly its own rows, on every engine.
 * Values reach the engines only as bound parameters (adapters/sql-statement.ts).
 */
export function describeHostileTextContract(
  name: string,
  open: () => Promise<{ engine: QueryEngine; store: ObjectStore }>,
  /**
   * `generated`: names beyond the seeds (hostile-text.ts); all are stored and listed. `filtered`: how many of
   * them (the first) the filter test walks, three or four statements each; all when not given.
   */
  options: { generated: number; filtered?: number },
): void {
  describe(`hostile text round-trips as data: ${name}`, () => {
    const names = sampleHostileTexts(options.generated, 20261202);
    const at = (i: number) => names[i % names.length]!;
    let service: QueryService;
    beforeAll(async () => {
      const { engine, store } = await open();
      await loadHostileData(store, names);
      service = new QueryService(engine, new RollupManifests(store, { maxAgeMs: 0 }));
    }, 900_000);

    it('lists every hostile service name with exactly its own counts', async () => {
      const { services, truncated } = await service.services(tenant, from, to, 1000);
      expect(truncated).toBe(false);
      const actual = services.map((s) => [s.service, s.requests, s.errors5xx]);
      const expected = names.map((s, i) => [s, i + 1, 1]);
      // By code units: localeCompare calls NFC 'é' and NFD 'e' + U+0301 equal, which would leave their order open.
      const byName = (a: unknown[], b: unknown[]) => (String(a[0]) < String(b[0]) ? -1 : 1);
      expect(actual.sort(byName)).toEqual(expected.sort(byName));
    }, 300_000);

    it('filters endpoints, series and events by each hostile value and finds exactly its rows', async () => {
      for (const [i, s] of names.slice(0, options.filtered ?? names.length).entries()) {
        const { endpoints } = await service.endpoints(tenant, from, to, 'requests', 10, s);
        expect(endpoints.map((e) => [e.service, e.method, e.path, e.requests])).toEqual([
          [s, at(i + 1), `/${at(i + 2)}`, i + 1],
        ]);
        const series = await service.timeseries({
          tenant,
          from,
          to,
          stepMs: 3_600_000,
          service: s,
          method: at(i + 1),
          path: `/${at(i + 2)}`,
        });
        expect(series.points.map((p) => [p.requests, p.errors5xx, p.max])).toEqual([[i + 1, 1, i + 1]]);
        const { events } = await service.events(tenant, from, to, s);
        expect(events.map((e) => [e.service, e.version, e.description])).toEqual([[s, at(i + 3), at(i + 4)]]);
      }
      // A few Trino round trips per name under load.
    }, 900_000);
  });
}
