import type { Logger } from 'pino';
import type { ObjectStore } from '../adapters/object-store/object-store.js';
import { walDir, type IngestConfig } from './config.js';
import { SegmentUploader } from './wal/segment-uploader.js';
import { WriteAheadLog } from './wal/write-ahead-log.js';

export interface RescueOutcome {
  /** Every recovered segment is uploaded, verified and deleted: the volume holds nothing acknowledged. */
  drained: boolean;
  segments: number;
}

/**
 * `gravix ingest --rescue`: uploads what an ingester left in its write-ahead log and exits, serving nothing.
 * Kubernetes runs it as the rescue Job on a volume whose replica was scaled away (a scale-down during an object
 * store outage leaves acknowledged facts there). Recovery seals the open segment as a restart would; the
 * uploader's conditional puts make a second rescue of the same volume (or the replica returning) harmless.
 */
export async function rescueWriteAheadLog(
  config: IngestConfig,
  store: ObjectStore,
  log: Logger,
): Promise<RescueOutcome> {
  const { wal, recovered } = await WriteAheadLog.open({
    dir: walDir(config),
    maxSegmentBytes: config.GRAVIX_WAL_SEGMENT_BYTES,
    maxSegmentAgeMs: config.GRAVIX_WAL_SEGMENT_AGE_MS,
    onSealed: () => undefined,
    onBackgroundError: (err) => log.error({ err }, 'sealing a write-ahead log segment failed'),
  });
  // Nothing is appended: closing seals no new data; recovery already sealed the crashed run's open segment.
  await wal.close();
  const uploader = new SegmentUploader({
    store,
    ingesterId: config.GRAVIX_INGESTER_ID,
    log,
    deleteSealed: (segment) => wal.deleteSealed(segment),
  });
  for (const segment of recovered) uploader.enqueue(segment);
  log.info({ segments: recovered.length, ingesterId: config.GRAVIX_INGESTER_ID }, 'rescuing write-ahead log');
  const drained = await uploader.drain(config.GRAVIX_SHUTDOWN_DEADLINE_MS);
  log.info({ drained, backlog: uploader.backlog() }, 'rescue finished');
  return { drained, segments: recovered.length };
}
