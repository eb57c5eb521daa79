import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import {
  ObjectStoreUnavailableError,
  type ObjectStore,
  type StoredObject,
} from '../../adapters/object-store/object-store.js';
import { buildRawPartition, buildRawSegmentKey, type RawPartition } from '../../domain/raw-partition.js';
import type { RawFact } from '../../domain/raw-record.js';
import { computePartition } from './compute-partition.js';
import { buildDataFileKey } from '../../domain/metrics-layout.js';
import { PartitionBackoff } from '../domain/partition-backoff.js';
import { startRollupLoop, type RollupPassResult } from './rollup-loop.js';
import { buildRollupMetrics } from './rollup-metrics.js';
import { runRollupOnce } from './run-rollup-once.js';
import { chunk, putRawSegment } from '../testing/raw-segments.js';
import { diffCells, readTableCells, recountFacts } from '../testing/rollup-recount.js';
import { buildSeededFacts } from '../testing/seeded-raw-events.js';

const hour10 = Date.parse('2026-11-20T10:00:00Z');
const day = 86_400_000;
const policy = {
  latenessMs: 0,
  nowMs: hour10 + 2 * 3_600_000,
  rawRetentionMs: 3650 * day,
  metricsRetentionMs: 3650 * day,
};
const p = (tenant: string) => buildRawPartition(tenant, hour10);

let dir: string;
let store: LocalObjectStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gx-rollup-iso-'));
  store = new LocalObjectStore(join(dir, 'store'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function seedTenant(tenant: string, count: number, seed: number): Promise<RawFact[]> {
  const facts = buildSeededFacts({ seed, count, tenant, fromMs: hour10 });
  let seq = 0;
  for (const part of chunk(facts, 2_000)) await putRawSegment(store, part, { seq: seq++ });
  // Re-uploads: a segment of events already sent, so dedupe matters.
  await putRawSegment(store, facts.slice(0, 500), { ingester: 'ing-retry', seq: 0 });
  return facts;
}

async function minuteDiff(partition: RawPartition, facts: readonly RawFact[]): Promise<string[]> {
  const object = await store.get(buildDataFileKey('request_metrics_minute', partition));
  if (!object) return ['no committed request_metrics_minute file'];
  const table = 'request_metrics_minute';
  return diffCells(table, recountFacts(facts, table), readTableCells(object.body, table));
}

/** A store whose reads of one tenant's segments misbehave. */
function faultyStore(inner: ObjectStore, tenant: string, fault: 'vanish' | 'timeout'): ObjectStore {
  return {
    put: (...args) => inner.put(...args),
    head: (key) => inner.head(key),
    list: (prefix) => inner.list(prefix),
    delete: (key) => inner.delete(key),
    async get(key): Promise<StoredObject | undefined> {
      if (!key.startsWith(`raw/tenant=${tenant}/`)) return inner.get(key);
      if (fault === 'vanish') {
        await inner.delete(key);
        return inner.get(key);
      }
      throw new ObjectStoreUnavailableError(`GET ${key}: socket timed out after 30000 ms mid-body`);
    },
  };
}

describe('one partition failing never stops the others (in-process rollup)', () => {
  it.each([
    ['an object that disappears between list and get', 'vanish', 'RAW_SEGMENT_VANISHED'],
    ['the store timing out mid-read', 'timeout', 'OBJECT_STORE_UNAVAILABLE'],
  ] as const)('%s fails only that partition, with a clear error', async (_name, fault, code) => {
    await seedTenant('a-bad', 3_000, 1);
    const normal = await seedTenant('b-normal', 3_000, 2);
    const summary = await runRollupOnce({ store: faultyStore(store, 'a-bad', fault), ...policy });
    expect(summary.failed).toEqual([
      {
        partition: 'tenant=a-bad/date=2026-11-20/hour=10',
        code,
        message: expect.stringContaining('raw/tenant=a-bad/'),
      },
    ]);
    expect(summary.partitions.map((r) => [r.partition, r.outcome])).toEqual([
      ['metrics/_manifests/tenant=b-normal/date=2026-11-20/hour=10.json', 'committed'],
    ]);
    expect(await minuteDiff(p('b-normal'), normal)).toEqual([]);
  });

  it('an hour with more (minute, endpoint) rows than the bound fails that partition, not the process', async () => {
    const noisy = buildSeededFacts({ seed: 3, count: 5_000, tenant: 'a-noisy', fromMs: hour10 }).map(
      (f, i) => ({
        ...f,
        service: `svc-${i}`,
      }),
    );
    await putRawSegment(store, noisy, { seq: 0 });
    const normal = await seedTenant('b-normal', 3_000, 4);
    const limits = { dedupeBudgetBytes: 64 << 20, maxPartitionRows: 1_000 };
    const summary = await runRollupOnce({ store, ...policy, limits });
    expect(summary.failed).toEqual([
      {
        partition: 'tenant=a-noisy/date=2026-11-20/hour=10',
        code: 'PARTITION_TOO_MANY_ROWS',
        message:
          'partition tenant=a-noisy/date=2026-11-20/hour=10 has more than 1000 (minute, service, method, path) rows (GRAVIX_ROLLUP_MAX_PARTITION_ROWS); not rolled up',
      },
    ]);
    expect(await minuteDiff(p('b-normal'), normal)).toEqual([]);
  });
});

describe('the dedupe set under a memory budget', () => {
  it('gives exact counts when the hour has far more distinct events than the budget holds', async () => {
    const facts = await seedTenant('acme', 6_000, 5);
    const keys = (await store.list('raw/')).map((o) => o.key);
    const unbounded = await computePartition(store, p('acme'), keys);
    // 24 bytes per event: room for 1,000 of the 6,000 distinct events, so 8 hash slices.
    const bounded = await computePartition(store, p('acme'), keys, undefined, undefined, {
      dedupeBudgetBytes: 1_000 * 24,
      maxPartitionRows: 500_000,
    });
    expect(bounded.stats).toEqual(unbounded.stats);
    expect(bounded.stats).toMatchObject({ facts: 6_000, duplicates: 500, lines: 6_500 });
    const table = 'request_metrics_minute';
    const recount = recountFacts(facts, table);
    expect(diffCells(table, recount, readTableCells(bounded.outputs[table].bytes, table))).toEqual([]);
    expect(bounded.inputsDigest).toBe(unbounded.inputsDigest);
  }, 60_000);

  it('gives the same outputs when listed input sizes let it reserve the set ahead, in slices or not', async () => {
    await seedTenant('acme', 6_000, 5);
    const keys = (await store.list('raw/')).map((o) => o.key).sort();
    // The first input listed as 1 byte of ~10^9: its rate projects far more events than the budget holds, so the
    // set is reserved up to its cap after the first input.
    const listed = keys.map((key, i) => ({ key, size: i === 0 ? 1 : 1e9 }));
    for (const events of [20_000, 1_000]) {
      const limits = { dedupeBudgetBytes: events * 24, maxPartitionRows: 500_000 };
      const plain = await computePartition(store, p('acme'), keys, undefined, undefined, limits);
      const reserved = await computePartition(store, p('acme'), listed, undefined, undefined, limits);
      expect(reserved.stats).toEqual(plain.stats);
      expect(Object.values(reserved.outputs).map((o) => o.sha256)).toEqual(
        Object.values(plain.outputs).map((o) => o.sha256),
      );
    }
  }, 60_000);

  it('fails the partition with DEDUPE_BUDGET_EXCEEDED when even 256 slices cannot hold it', async () => {
    await seedTenant('acme', 3_000, 6);
    const keys = (await store.list('raw/')).map((o) => o.key);
    await expect(
      computePartition(store, p('acme'), keys, undefined, undefined, {
        dedupeBudgetBytes: 24,
        maxPartitionRows: 1e6,
      }),
    ).rejects.toMatchObject({
      code: 'DEDUPE_BUDGET_EXCEEDED',
      message: expect.stringContaining('even in 256 slices (GRAVIX_ROLLUP_DEDUPE_MEMORY_MB)'),
    });
  }, 60_000);
});

describe('the rollup loop with a failing partition', () => {
  it('keeps committing other tenants, counts the failure by code on /metrics and defers the partition with backoff', async () => {
    await store.put(buildRawSegmentKey(p('a-corrupt'), 'ing-0', 0), Buffer.from('\x1f\x8b\x08\0garbage!'), {
      ifNoneMatch: '*',
    });
    const normal = await seedTenant('b-normal', 2_000, 7);
    const metrics = buildRollupMetrics(new Registry());
    const passes: RollupPassResult[] = [];
    const backoff = new PartitionBackoff({ maxMs: 3_600_000 });
    const twoPasses = new Promise<void>((resolve) => {
      const loop = startRollupLoop({
        store,
        ...policy,
        includeOpen: true,
        intervalMs: 1_000,
        backoff,
        onPass: (pass) => {
          metrics.recordPass(pass);
          passes.push(pass);
          if (passes.length === 2) void loop.stop().then(resolve);
        },
      });
    });
    await twoPasses;
    expect(passes.map((x) => [x.ok, x.failureCodes, x.failingPartitions])).toEqual([
      [false, ['RAW_SEGMENT_UNREADABLE'], 1],
      [true, [], 1], // deferred: the second pass, a second later, does not retry it
    ]);
    const text = await metrics.registry.metrics();
    expect(text).toContain('gravix_rollup_partition_failures_total{code="RAW_SEGMENT_UNREADABLE"} 1\n');
    expect(text).toContain('gravix_rollup_failing_partitions 1\n');
    expect(await minuteDiff(p('b-normal'), normal)).toEqual([]);
    expect(backoff.isDeferred('tenant=a-corrupt/date=2026-11-20/hour=10', policy.nowMs + 1)).toBe(true);
  });
});
