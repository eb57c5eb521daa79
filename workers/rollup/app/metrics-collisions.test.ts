import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import type { ObjectInfo } from '../../adapters/object-store/object-store.js';
import { buildRawPartition } from '../../domain/raw-partition.js';
import { loadManifest } from './commit-partition.js';
import { deriveMissingTables } from './derive-missing-tables.js';
import { encodeRollupManifest } from '../domain/rollup-manifest.js';
import { buildDataFileKey, buildManifestKey } from '../../domain/metrics-layout.js';
import { MetricsObjectCollisionError, putNewObject } from '../adapters/put-new-object.js';
import { DataFileContentionError, putWhileCommitted } from '../adapters/put-while-committed.js';
import { runRollupOnce } from './run-rollup-once.js';
import { putRawSegment } from '../testing/raw-segments.js';
import { buildSeededFacts } from '../testing/seeded-raw-events.js';

const hour10 = Date.parse('2026-11-20T10:00:00Z');
const p10 = buildRawPartition('acme', hour10);
const bytes = (text: string) => new TextEncoder().encode(text);
const newStore = () => new LocalObjectStore(mkdtempSync(join(tmpdir(), 'gravix-collisions-')));

describe('putNewObject', () => {
  it('creates once, accepts the same bytes again, and refuses other bytes with a typed error', async () => {
    const store = newStore();
    const key = 'metrics/_manifests_day/tenant=acme/date=2026-11-20/' + 'a'.repeat(64);
    expect(await putNewObject(store, key, bytes('{"rows":3}\n'))).toBe('created');
    expect(await putNewObject(store, key, bytes('{"rows":3}\n'))).toBe('existed');
    const collision = putNewObject(store, key, bytes('{"rows":4}\n'));
    await expect(collision).rejects.toThrow(MetricsObjectCollisionError);
    await expect(collision).rejects.toMatchObject({
      code: 'METRICS_OBJECT_COLLISION',
      message: `object '${key}' already exists with different content (11 bytes, ours 11): create-only metrics objects are never replaced`,
    });
    expect(new TextDecoder().decode((await store.get(key))!.body)).toBe('{"rows":3}\n');
  });
});

describe('gravix rollup --derive-missing', () => {
  it('fails loudly on a forged file where it would create a pre-merged table, and leaves that file alone', async () => {
    const store = newStore();
    await putRawSegment(store, buildSeededFacts({ seed: 7, count: 500, fromMs: hour10 }), { seq: 0 });
    const nowMs = hour10 + 2 * 3_600_000;
    await runRollupOnce({
      store,
      nowMs,
      latenessMs: 300_000,
      rawRetentionMs: 7 * 86_400_000,
      metricsRetentionMs: 90 * 86_400_000,
    });
    // What rollup version 1 left: minute rows only, raw data gone.
    const { manifest } = (await loadManifest(store, buildManifestKey(p10)))!;
    const { request_metrics_minute, service_events } = manifest.outputs;
    await store.put(
      buildManifestKey(p10),
      encodeRollupManifest({
        ...manifest,
        rollup_version: 1,
        outputs: { request_metrics_minute, service_events },
      }),
    );
    for (const { key } of await store.list('raw/')) await store.delete(key);
    const hourKey = buildDataFileKey('request_metrics_hour', p10);
    await store.put(hourKey, bytes('forged'));

    await expect(deriveMissingTables(store, pino({ level: 'silent' }))).rejects.toMatchObject({
      code: 'METRICS_OBJECT_COLLISION',
      message: `object '${hourKey}' already exists with different content (6 bytes, ours ${manifest.outputs.request_metrics_hour!.bytes}): create-only metrics objects are never replaced`,
    });
    expect(new TextDecoder().decode((await store.get(hourKey))!.body)).toBe('forged');
  });
});

describe('putWhileCommitted', () => {
  const dataKey = buildDataFileKey('request_metrics_minute', p10);
  const manifestKey = buildManifestKey(p10);

  it('writes nothing once a newer generation holds the manifest', async () => {
    const store = newStore();
    const { etag } = await store.put(manifestKey, bytes('{"generation":1}'));
    await store.put(dataKey, bytes('generation 2'));
    await store.put(manifestKey, bytes('{"generation":2}'));
    expect(await putWhileCommitted(store, dataKey, bytes('generation 1'), manifestKey, etag)).toBe(false);
    expect(new TextDecoder().decode((await store.get(dataKey))!.body)).toBe('generation 2');
  });

  it('gives up with a typed error when the file keeps changing under it while the manifest stays ours', async () => {
    const inner = newStore();
    const { etag } = await inner.put(manifestKey, bytes('{"generation":1}'));
    let writes = 0;
    // Another writer that replaces the data file right after every read of it, without committing anything.
    const store = Object.assign(Object.create(inner) as LocalObjectStore, {
      head: async (key: string): Promise<ObjectInfo | undefined> => {
        const info = await inner.head(key);
        if (key === dataKey) await inner.put(dataKey, bytes(`rogue ${writes++}`));
        return info;
      },
    });
    await expect(putWhileCommitted(store, dataKey, bytes('ours'), manifestKey, etag)).rejects.toThrow(
      DataFileContentionError,
    );
    expect(writes).toBe(5);
  });
});
