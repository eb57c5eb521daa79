import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { rollupHeartbeatKey } from '../../domain/metrics-layout.js';

/**
 * The rollup's last finished pass, overwritten after every pass (`gravix rollup`, `--once`, `gravix dev`). A commit
 * only happens when inputs changed, so when traffic stops the newest manifest ages although the rollup still runs;
 * this object lets the dashboard tell "the rollup is stuck" from "no requests arrive".
 */

export interface RollupHeartbeat {
  /** Wall clock when the pass finished, ms since epoch. */
  finishedAt: number;
  /** Partitions that failed in that pass (0 for a healthy pass). */
  failed: number;
  /** Wall clock when the pass listed raw/ (absent in heartbeats of older versions and of backfills). */
  listedAt?: number;
  /**
   * Raw data of facts before this time (exclusive, ms) that had reached the store by listedAt is rolled up:
   * listedAt when the open hour is included, else the newest hour the watermark closed.
   */
  coveredUntil?: number;
}

export async function writeRollupHeartbeat(store: ObjectStore, heartbeat: RollupHeartbeat): Promise<void> {
  await store.put(rollupHeartbeatKey, Buffer.from(JSON.stringify(heartbeat)));
}

/** The last pass, or null when no pass has written one (a store from before heartbeats, or none yet). */
export async function loadRollupHeartbeat(store: ObjectStore): Promise<RollupHeartbeat | null> {
  const object = await store.get(rollupHeartbeatKey);
  if (!object) return null;
  try {
    const parsed = JSON.parse(Buffer.from(object.body).toString('utf8')) as Partial<RollupHeartbeat>;
    if (typeof parsed.finishedAt !== 'number' || !Number.isFinite(parsed.finishedAt)) return null;
    const heartbeat: RollupHeartbeat = {
      finishedAt: parsed.finishedAt,
      failed: typeof parsed.failed === 'number' ? parsed.failed : 0,
    };
    if (typeof parsed.listedAt === 'number') heartbeat.listedAt = parsed.listedAt;
    if (typeof parsed.coveredUntil === 'number') heartbeat.coveredUntil = parsed.coveredUntil;
    return heartbeat;
  } catch {
    // A torn or foreign object says nothing about the rollup; the freshness answer then reports no pass.
    return null;
  }
}
