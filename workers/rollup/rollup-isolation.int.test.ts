import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip, gzipSync } from 'node:zlib';
import { builtCli } from '../../testbin/harness/built-cli.js';
import { LocalObjectStore } from '../adapters/object-store/local-object-store.js';
import type { ObjectStore } from '../adapters/object-store/object-store.js';
import { buildRawPartition, buildRawSegmentKey, type RawPartition } from '../domain/raw-partition.js';
import type { RawFact } from '../domain/raw-record.js';
import { loadManifest } from './app/commit-partition.js';
import { buildDataFileKey, buildManifestKey } from '../domain/metrics-layout.js';
import { chunk, putRawSegment } from './testing/raw-segments.js';
import { parseRunSummary, spawnRollup, type RollupProcess } from './testing/rollup-processes.js';
import { diffCells, readTableCells, recountFacts, recountTables } from './testing/rollup-recount.js';
import { buildSeededFacts } from './testing/seeded-raw-events.js';

const hour10 = Date.parse('2026-11-20T10:00:00Z');
const processEnv = { GRAVIX_RAW_RETENTION_DAYS: '3650', GRAVIX_METRICS_RETENTION_DAYS: '3650' };

let cli: string;
beforeAll(async () => {
  cli = await builtCli();
}, 300_000);

function localStore(): { store: LocalObjectStore; env: Record<string, string> } {
  const dataDir = mkdtempSync(join(tmpdir(), 'gravix-rollup-iso-'));
  return {
    store: new LocalObjectStore(join(dataDir, 'store')),
    env: { GRAVIX_STORE: 'local', GRAVIX_DATA_DIR: dataDir, ...processEnv },
  };
}

/** Every table of the partition equals an exact recount of the facts (distinct by event_id), the edge tables none. */
async function expectExactRecount(store: ObjectStore, p: RawPartition, facts: readonly RawFact[]) {
  const problems: string[] = [];
  for (const table of Object.keys(recountTables) as (keyof typeof recountTables)[]) {
    if (table === 'request_metrics_day') continue; // day tiles are for closed days only
    const object = await store.get(buildDataFileKey(table, p));
    if (!object) problems.push(`${table}: no committed file`);
    else {
      // These facts carry no CLIENT spans: the edge tables must hold no row.
      const counted = 'edge' in recountTables[table] ? [] : facts;
      problems.push(...diffCells(table, recountFacts(counted, table), readTableCells(object.body, table)));
    }
  }
  expect(problems.slice(0, 10)).toEqual([]);
}

/** The run must end by itself; a hang fails the test with what the process printed. */
async function finished(run: RollupProcess, withinMs: number) {
  const timer = setTimeout(() => run.child.kill('SIGKILL'), withinMs);
  const result = await run.exited;
  clearTimeout(timer);
  if (result.signal === 'SIGKILL') throw new Error(`rollup hung; output:\n${result.output.slice(-4000)}`);
  return result;
}

async function putGzipOfRepeatedByte(store: ObjectStore, key: string, bytes: number) {
  const gzip = createGzip({ level: 1 });
  const parts: Buffer[] = [];
  gzip.on('data', (b: Buffer) => parts.push(b));
  const done = new Promise((resolve) => gzip.on('end', resolve));
  const block = Buffer.alloc(1 << 20, 0x61);
  for (let written = 0; written < bytes; written += block.length) {
    if (!gzip.write(block)) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end();
  await done;
  await store.put(key, Buffer.concat(parts), { ifNoneMatch: '*' });
}

describe('one bad partition never stops the others (gravix rollup --once, scan worker)', () => {
  it('a tenant with 30,000 distinct services in one hour does not block the next tenant, whose minutes are committed exactly', async () => {
    const { store, env } = localStore();
    const noisy = buildSeededFacts({ seed: 1, count: 30_000, tenant: 'a-noisy', fromMs: hour10 }).map(
      (f, i) => ({ ...f, service: `svc-${i}-${'x'.repeat(40)}` }),
    );
    await putRawSegment(store, noisy, { seq: 0 });
    const normal = buildSeededFacts({ seed: 2, count: 20_000, tenant: 'b-normal', fromMs: hour10 });
    let seq = 0;
    for (const part of chunk(normal, 5_000)) await putRawSegment(store, part, { seq: seq++ });

    const { code, output } = await finished(spawnRollup(cli, env, ['--once']), 240_000);

    const summary = parseRunSummary(output);
    expect(summary).toBeDefined();
    await expectExactRecount(store, buildRawPartition('b-normal', hour10), normal);
    // The noisy hour either completes within the budgets or fails cleanly; the exit code says which.
    const noisyManifest = await loadManifest(store, buildManifestKey(buildRawPartition('a-noisy', hour10)));
    if (noisyManifest) await expectExactRecount(store, buildRawPartition('a-noisy', hour10), noisy);
    expect(code).toBe(noisyManifest ? 0 : 1);
    expect(summary!['failed']).toBe(noisyManifest ? 0 : 1);
  }, 300_000);

  it('a corrupt gzip, a truncated object and a 1 GiB line each fail only their partition, with a clear error; the rest commit and the run exits 1', async () => {
    const { store, env } = localStore();
    const p = (tenant: string) => buildRawPartition(tenant, hour10);
    const valid = (tenant: string) => buildSeededFacts({ seed: 3, count: 2_000, tenant, fromMs: hour10 });
    await store.put(buildRawSegmentKey(p('a-corrupt'), 'ing-0', 0), Buffer.from('\x1f\x8b\x08\0garbage!'), {
      ifNoneMatch: '*',
    });
    await putRawSegment(store, valid('a-corrupt'), { seq: 1 });
    const whole = gzipSync(
      valid('b-truncated')
        .map((f) => JSON.stringify(f))
        .join('\n'),
    );
    await store.put(buildRawSegmentKey(p('b-truncated'), 'ing-0', 0), whole.subarray(0, whole.length >> 1), {
      ifNoneMatch: '*',
    });
    await putGzipOfRepeatedByte(store, buildRawSegmentKey(p('c-long-line'), 'ing-0', 0), 1 << 30);
    const normal = buildSeededFacts({ seed: 4, count: 10_000, tenant: 'd-normal', fromMs: hour10 });
    await putRawSegment(store, normal, { seq: 0 });

    const { code, output } = await finished(spawnRollup(cli, env, ['--once']), 240_000);

    expect(parseRunSummary(output)).toMatchObject({ committed: 1, failed: 3 });
    expect(code).toBe(1);
    await expectExactRecount(store, p('d-normal'), normal);
    const failures = output
      .split('\n')
      .filter((l) => l.includes('"partition rollup failed"'))
      .map((l) => JSON.parse(l) as { partition: string; code: string });
    expect(failures.map((f) => [f.partition, f.code])).toEqual([
      ['tenant=a-corrupt/date=2026-11-20/hour=10', 'RAW_SEGMENT_UNREADABLE'],
      ['tenant=b-truncated/date=2026-11-20/hour=10', 'RAW_SEGMENT_UNREADABLE'],
      ['tenant=c-long-line/date=2026-11-20/hour=10', 'RAW_LINE_TOO_LONG'],
    ]);
  }, 300_000);
});
