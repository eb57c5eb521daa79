import type { Logger } from 'pino';
import { PreconditionFailedError, type ObjectStore } from '../adapters/object-store/object-store.js';
import type { ComputedPartition } from './compute-partition.js';
import {
  buildDataFileKey,
  buildManifestKey,
  encodeRollupManifest,
  metricsTables,
  parseRollupManifest,
  rollupVersion,
  type MetricsTable,
  type RollupManifest,
} from './domain/rollup-manifest.js';
import { pauseAtPhase } from './test-phase-pause.js';

export interface CommittedManifest {
  manifest: RollupManifest;
  etag: string;
}

export type CommitOutcome = 'committed' | 'republished' | 'unchanged' | 'lost_race';

export async function loadManifest(store: ObjectStore, key: string): Promise<CommittedManifest | undefined> {
  const object = await store.get(key);
  return object && { manifest: parseRollupManifest(object.body, key), etag: object.etag };
}

function sameOutputs(manifest: RollupManifest, computed: ComputedPartition): boolean {
  return metricsTables.every((table) => manifest.outputs[table]?.sha256 === computed.outputs[table].sha256);
}

function buildManifest(
  computed: ComputedPartition,
  previous: RollupManifest | undefined,
  options: { sealed: boolean; nowMs: number },
): RollupManifest {
  const p = computed.partition;
  const out = (table: MetricsTable) => ({
    key: buildDataFileKey(table, p),
    sha256: computed.outputs[table].sha256,
    rows: computed.outputs[table].rows,
    bytes: computed.outputs[table].bytes.byteLength,
  });
  return {
    format: 'gravix.rollup-manifest/v1',
    tenant: p.tenant,
    date: p.date,
    hour: p.hour,
    generation: (previous?.generation ?? 0) + 1,
    rollup_version: rollupVersion,
    inputs_digest: computed.inputsDigest,
    inputs: computed.inputs,
    outputs: {
      request_metrics_minute: out('request_metrics_minute'),
      request_metrics_hour: out('request_metrics_hour'),
      service_metrics_minute: out('service_metrics_minute'),
      service_metrics_hour: out('service_metrics_hour'),
      service_events: out('service_events'),
    },
    published: false,
    sealed: options.sealed,
    committed_at: new Date(options.nowMs).toISOString(),
    stats: computed.stats,
  };
}

/**
 * The commit protocol (docs/adr/0003-rollup-commit-protocol.md):
 * 1. conditional put of the manifest (create-only, or ifMatch the etag we read) — the single commit point;
 * 2. only the winner writes the data files, each one atomic put over the fixed name;
 * 3. conditional put of the manifest with published=true. If that loses, a newer generation committed
 *    meanwhile and our data write may have landed after theirs: flag the newer manifest for republishing.
 */
export async function commitPartition(
  store: ObjectStore,
  computed: ComputedPartition,
  previous: CommittedManifest | undefined,
  options: { sealed: boolean; nowMs: number; log: Logger; force?: boolean },
): Promise<{ outcome: CommitOutcome; generation: number }> {
  const key = buildManifestKey(computed.partition);
  if (previous && sameOutputs(previous.manifest, computed)) {
    if (previous.manifest.published) {
      // A forced run rewrites the same bytes: it repairs a data file that an out-of-order write left stale.
      if (options.force) await writeDataFiles(store, computed);
      return { outcome: 'unchanged', generation: previous.manifest.generation };
    }
    await publishAndMark(store, computed, previous, options.log);
    return { outcome: 'republished', generation: previous.manifest.generation };
  }
  const manifest = buildManifest(computed, previous?.manifest, options);
  let etag: string;
  await pauseAtPhase('commit');
  try {
    const condition = previous ? { ifMatch: previous.etag } : { ifNoneMatch: '*' as const };
    ({ etag } = await store.put(key, encodeRollupManifest(manifest), {
      ...condition,
      contentType: 'application/json',
    }));
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    return { outcome: 'lost_race', generation: manifest.generation };
  }
  await publishAndMark(store, computed, { manifest, etag }, options.log);
  return { outcome: 'committed', generation: manifest.generation };
}

async function publishAndMark(
  store: ObjectStore,
  computed: ComputedPartition,
  committed: CommittedManifest,
  log: Logger,
): Promise<void> {
  const { manifest, etag } = committed;
  await writeDataFiles(store, computed);
  const marked = encodeRollupManifest({ ...manifest, published: true });
  await pauseAtPhase('mark');
  try {
    await store.put(buildManifestKey(computed.partition), marked, {
      ifMatch: etag,
      contentType: 'application/json',
    });
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    await flagForRepublish(store, computed, log);
  }
}

async function writeDataFiles(store: ObjectStore, computed: ComputedPartition) {
  for (const table of metricsTables) {
    await pauseAtPhase('publish');
    await store.put(buildDataFileKey(table, computed.partition), computed.outputs[table].bytes);
  }
}

/** A newer generation won while we published; unless it has our bytes, make the next run republish it. */
async function flagForRepublish(store: ObjectStore, computed: ComputedPartition, log: Logger): Promise<void> {
  const key = buildManifestKey(computed.partition);
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await loadManifest(store, key);
    if (!current || sameOutputs(current.manifest, computed) || !current.manifest.published) return;
    try {
      const body = encodeRollupManifest({ ...current.manifest, published: false });
      await store.put(key, body, { ifMatch: current.etag, contentType: 'application/json' });
      log.warn(
        { manifest: key, generation: current.manifest.generation },
        'newer generation flagged for republish',
      );
      return;
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
  }
}
