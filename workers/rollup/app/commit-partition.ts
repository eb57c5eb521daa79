import type { Logger } from 'pino';
import { PreconditionFailedError, type ObjectStore } from '../../adapters/object-store/object-store.js';
import { putWhileCommitted } from '../adapters/put-while-committed.js';
import type { ComputedPartition } from './compute-partition.js';
import {
  encodeRollupManifest,
  parseRollupManifest,
  rollupVersion,
  type RollupManifest,
} from '../domain/rollup-manifest.js';
import {
  buildDataFileKey,
  buildEdgeCarryKey,
  buildManifestKey,
  metricsTables,
  type MetricsTable,
} from '../../domain/metrics-layout.js';
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
  return (
    metricsTables.every((table) => manifest.outputs[table]?.sha256 === computed.outputs[table].sha256) &&
    manifest.outputs.edge_carry?.sha256 === computed.carry.sha256 &&
    manifest.edge_next?.manifest_etag === computed.edgeNext?.manifest_etag &&
    manifest.edge_prev?.carry_etag === computed.edgePrev?.carry_etag
  );
}

function buildManifest(
  computed: ComputedPartition,
  previous: RollupManifest | undefined,
  options: { sealed: boolean },
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
      service_edges_minute: out('service_edges_minute'),
      service_edges_hour: out('service_edges_hour'),
      service_events: out('service_events'),
      edge_carry: {
        key: buildEdgeCarryKey(p),
        sha256: computed.carry.sha256,
        rows: computed.carry.rows,
        bytes: computed.carry.bytes.byteLength,
      },
    },
    ...(computed.edgeNext && { edge_next: computed.edgeNext }),
    ...(computed.edgePrev && { edge_prev: computed.edgePrev }),
    ...(computed.minuteDigests && { minute_digests: computed.minuteDigests }),
    published: false,
    sealed: options.sealed,
    // The real clock, not the pass's watermark time: freshness readers compare it with when facts were sent.
    committed_at: new Date().toISOString(),
    stats: computed.stats,
  };
}

/**
 * The commit protocol (docs/adr/0003-rollup-commit-protocol.md):
 * 1. conditional put of the manifest (create-only, or ifMatch the etag we read) — the single commit point;
 * 2. only the winner writes the data files, each a conditional put over the fixed name, and only while its
 *    generation is still the committed one: a newer generation's file is never replaced by an older one;
 * 3. conditional put of the manifest with published=true.
 */
export async function commitPartition(
  store: ObjectStore,
  computed: ComputedPartition,
  previous: CommittedManifest | undefined,
  options: { sealed: boolean; nowMs: number; log: Logger; force?: boolean },
): Promise<{ outcome: CommitOutcome; generation: number }> {
  const key = buildManifestKey(computed.partition);
  // Same inputs, same bytes: nothing to commit. A file of re-uploaded events changes the inputs but not the bytes;
  // it still commits, so the manifest lists (covers) it: otherwise every pass would recompute the partition and
  // retention could never delete that file.
  const sameInputs = previous?.manifest.inputs_digest === computed.inputsDigest;
  if (previous && sameInputs && sameOutputs(previous.manifest, computed)) {
    if (previous.manifest.published) {
      // A forced run rewrites the same bytes: it repairs a data file an operator damaged or removed.
      if (options.force) await writeDataFiles(store, computed, previous.etag);
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
  if (!(await writeDataFiles(store, computed, etag))) {
    log.info({ generation: manifest.generation }, 'newer generation committed while publishing: left to it');
    return;
  }
  const marked = encodeRollupManifest({ ...manifest, published: true });
  await pauseAtPhase('mark');
  try {
    await store.put(buildManifestKey(computed.partition), marked, {
      ifMatch: etag,
      contentType: 'application/json',
    });
  } catch (error) {
    // A newer generation committed after our files landed; it publishes its own over them.
    if (!(error instanceof PreconditionFailedError)) throw error;
  }
}

/** False when a newer generation took over the partition before all our files were written. */
async function writeDataFiles(
  store: ObjectStore,
  computed: ComputedPartition,
  etag: string,
): Promise<boolean> {
  const manifestKey = buildManifestKey(computed.partition);
  for (const table of metricsTables) {
    await pauseAtPhase('publish');
    const dataKey = buildDataFileKey(table, computed.partition);
    if (!(await putWhileCommitted(store, dataKey, computed.outputs[table].bytes, manifestKey, etag)))
      return false;
  }
  await pauseAtPhase('publish');
  const carryKey = buildEdgeCarryKey(computed.partition);
  return putWhileCommitted(store, carryKey, computed.carry.bytes, manifestKey, etag);
}
