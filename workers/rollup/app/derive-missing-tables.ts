import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { PreconditionFailedError, type ObjectStore } from '../../adapters/object-store/object-store.js';
import { rollUpMinutesToHours, rollUpToServices } from '../../domain/hour-metrics.js';
import { buildRawPartitionPrefix } from '../../domain/raw-partition.js';
import {
  decodeRequestMetrics,
  encodeHourMetrics,
  encodeServiceMetrics,
} from '../adapters/metrics-parquet.js';
import { loadManifest } from './commit-partition.js';
import { putNewObject } from '../adapters/put-new-object.js';
import { encodeRollupManifest, type RollupManifest } from '../domain/rollup-manifest.js';
import { buildDataFileKey, manifestsPrefix, parseManifestKey } from '../../domain/metrics-layout.js';

export interface DeriveReport {
  /** Partitions that got their pre-merged tables. */
  derived: number;
  /** Partitions that already had them. */
  complete: number;
  /** Unpublished or changed while we worked: the regular rollup owns them. */
  skipped: number;
}

const derivedTables = ['request_metrics_hour', 'service_metrics_minute', 'service_metrics_hour'] as const;

type DerivedTable = (typeof derivedTables)[number];

function derive(minuteFile: Uint8Array): Record<DerivedTable, { bytes: Uint8Array; rows: number }> {
  const minutes = decodeRequestMetrics(minuteFile);
  const hours = rollUpMinutesToHours(minutes);
  const [serviceMinutes, serviceHours] = [
    rollUpToServices(minutes, 'minute'),
    rollUpToServices(minutes, 'hour'),
  ];
  return {
    request_metrics_hour: { bytes: encodeHourMetrics(hours), rows: hours.length },
    service_metrics_minute: {
      bytes: encodeServiceMetrics('minute', serviceMinutes),
      rows: serviceMinutes.length,
    },
    service_metrics_hour: { bytes: encodeServiceMetrics('hour', serviceHours), rows: serviceHours.length },
  };
}

/** Partitions that still have raw data: the regular rollup recomputes those (the rollup version is in the digest). */
async function partitionsWithRaw(store: ObjectStore): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const { key } of await store.list('raw/')) ids.add(key.slice(0, key.lastIndexOf('/') + 1));
  return ids;
}

/**
 * One-off upgrade pass (`gravix rollup --derive-missing`): partitions committed by rollup version 1 have minute rows
 * only, and the regular rollup cannot recompute those whose raw data is past retention. This derives their hour and
 * service tables from the committed minute file (the same exact merge the rollup does), writes them, and records
 * them in the manifest with a conditional put, so the query planner's whole-hour and per-service reads stop
 * undercounting old ranges. Partitions that still have raw data are left to the regular rollup, which recomputes
 * them, so no two writers ever touch one partition's files. Reads every manifest once: run it once after upgrading.
 */
export async function deriveMissingTables(store: ObjectStore, log: Logger): Promise<DeriveReport> {
  const report: DeriveReport = { derived: 0, complete: 0, skipped: 0 };
  const withRaw = await partitionsWithRaw(store);
  for (const { key } of await store.list(manifestsPrefix)) {
    const partition = parseManifestKey(key);
    const committed = partition && (await loadManifest(store, key));
    if (!partition || !committed) continue;
    const { manifest, etag } = committed;
    if (derivedTables.every((t) => manifest.outputs[t] !== undefined)) {
      report.complete += 1;
      continue;
    }
    const minuteFile =
      manifest.published && !withRaw.has(buildRawPartitionPrefix(partition))
        ? await store.get(buildDataFileKey('request_metrics_minute', partition))
        : undefined;
    if (!minuteFile) {
      report.skipped += 1;
      continue;
    }
    const files = derive(minuteFile.body);
    const outputs: Partial<RollupManifest['outputs']> = {};
    for (const table of derivedTables) {
      const dataKey = buildDataFileKey(table, partition);
      const { bytes, rows } = files[table];
      // The manifest does not list this file: nothing may be there but our own bytes from a crashed earlier try.
      await putNewObject(store, dataKey, bytes);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      outputs[table] = { key: dataKey, sha256, rows, bytes: bytes.byteLength };
    }
    try {
      const updated = { ...manifest, outputs: { ...manifest.outputs, ...outputs } };
      await store.put(key, encodeRollupManifest(updated), { ifMatch: etag, contentType: 'application/json' });
      report.derived += 1;
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      report.skipped += 1;
    }
  }
  log.info(report, 'pre-merged tables derived for older partitions');
  return report;
}
