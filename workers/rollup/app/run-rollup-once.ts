import { pino, type Logger } from 'pino';
import { writeRollupHeartbeat } from './rollup-heartbeat.js';
import { availableParallelism } from 'node:os';
import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { SegmentScanPool } from '../adapters/segment-scan-pool.js';
import { buildManifestKey, edgeCarryPrefix } from '../../domain/metrics-layout.js';
import { partitionStartMs } from '../../domain/raw-partition.js';
import { applyRetention, type RetentionReport } from './apply-retention.js';
import { buildRollupPlan, type PartitionCandidate, type RollupPolicy } from '../domain/rollup-plan.js';
import { refreshDayTiles, type DayTileReport } from './refresh-day-tiles.js';
import { refreshOpenDayTiles, type OpenDayTileReport } from './refresh-open-day-tiles.js';
import { refreshOpenHourTiles, type OpenHourTileReport } from './refresh-open-hour-tiles.js';
import { rollupPartition, type PartitionCompute, type PartitionReport } from './rollup-partition.js';
import { PassManifests } from './pass-manifests.js';
import {
  needsNeighbourCheck,
  nextHourSide,
  prevHourSide,
  reconcileNeighbourHour,
  type NeighbourSide,
} from './reconcile-neighbour-hour.js';
import type { PartitionLimits } from '../domain/partition-accumulator.js';
import type { PartitionBackoff } from '../domain/partition-backoff.js';
import type { RetentionOverride } from '../domain/tenant-retention.js';

export interface RollupOnceOptions {
  store: ObjectStore;
  /** Defaults to Date.now(); injectable so tests and backfills pin the watermark. */
  nowMs?: number;
  latenessMs: number;
  includeOpen?: boolean;
  rawRetentionMs: number;
  metricsRetentionMs: number;
  /** Tenants' own retention (their GravixTenant's `retention`), over the two above. */
  retentionOverride?: RetentionOverride;
  /** Restrict to partitions whose hour starts in [fromMs, toMs) (backfill). */
  fromMs?: number;
  toMs?: number;
  /** Recompute partitions even when their inputs did not change (commits only if the output differs). */
  force?: boolean;
  applyRetention?: boolean;
  /**
   * Rebuild the day tiles of closed days whose hours changed, the open-day tiles of days still open whose
   * closed hours changed and the open-hour tiles of hours still open whose closed minutes changed (default true).
   */
  dayTiles?: boolean;
  /**
   * Worker threads that inflate and scan raw segments (default 1 when there are 2+ CPUs). 0 scans on the main thread;
   * so does running from TypeScript sources (jest). Results are identical either way.
   */
  scanThreads?: number;
  /** Old-generation heap of each scan worker, MiB (GRAVIX_ROLLUP_SCAN_WORKER_HEAP_MB). */
  scanWorkerHeapMb?: number;
  /** A segment scan longer than this fails its partition and replaces the worker. */
  scanTimeoutMs?: number;
  /** Memory bounds of one partition (dedupe budget, aggregation rows); defaults in compute-partition.ts. */
  limits?: PartitionLimits;
  /**
   * Failing partitions seen by earlier passes (the loop keeps one): a partition still inside its backoff is
   * deferred, not retried, so one bad tenant-hour does not cost every pass its full time.
   */
  backoff?: PartitionBackoff;
  log?: Logger;
  onPartition?: (report: PartitionReport | undefined, done: number, total: number) => void;
}

export interface RollupRunSummary {
  partitions: PartitionReport[];
  failed: { partition: string; code: string; message: string }[];
  /** Partitions that failed in an earlier pass and wait out their backoff (not tried this pass). */
  deferred: string[];
  retention?: RetentionReport;
  dayTiles?: DayTileReport;
  openDayTiles?: OpenDayTileReport;
  openHourTiles?: OpenHourTileReport;
}

function inRange(startMs: number, options: RollupOnceOptions): boolean {
  return (
    (options.fromMs === undefined || startMs >= options.fromMs) &&
    (options.toMs === undefined || startMs < options.toMs)
  );
}

const hourMs = 3_600_000;

/**
 * Raw objects listed at `listedAt` are rolled up up to this time (exclusive): the alert evaluator reads only
 * minutes before it (minus the time a fact takes to reach the store), so it never judges a partial minute. A
 * pass limited to a range (backfill) or pinned to another clock says nothing about the present.
 */
function coverage(options: RollupOnceOptions, policy: RollupPolicy, listedAt: number) {
  if (options.fromMs !== undefined || options.toMs !== undefined || options.nowMs !== undefined) return {};
  const coveredUntil = policy.includeOpen
    ? listedAt
    : Math.floor((listedAt - policy.latenessMs) / hourMs) * hourMs;
  return { listedAt, coveredUntil };
}

/** One pass: roll up every partition the watermark allows, then apply retention. Used by the rollup loop and `gravix dev`. */
export async function runRollupOnce(options: RollupOnceOptions): Promise<RollupRunSummary> {
  const log = options.log ?? pino({ level: 'silent' });
  const policy: RollupPolicy & { force?: boolean } = {
    nowMs: options.nowMs ?? Date.now(),
    latenessMs: options.latenessMs,
    includeOpen: options.includeOpen ?? false,
    rawRetentionMs: options.rawRetentionMs,
    metricsRetentionMs: options.metricsRetentionMs,
    ...(options.retentionOverride && { retentionOverride: options.retentionOverride }),
    force: options.force ?? false,
  };
  const listedAt = Date.now();
  // The manifests are listed once a pass: the pass's own writes keep that view current for the tiles at its end.
  const [raw, manifests] = await Promise.all([options.store.list('raw/'), PassManifests.list(options.store)]);
  const store = manifests.store;
  const plan = buildRollupPlan(
    raw,
    manifests.listed.map((m) => m.key),
    policy,
  );
  if (plan.foreignKeys.length > 0)
    log.warn({ keys: plan.foreignKeys.slice(0, 5) }, 'keys under raw/ ignored');
  const candidates = plan.candidates.filter((c) => inRange(partitionStartMs(c.partition), options));
  const listedEtags = new Map(manifests.listed.map((m) => [m.key, m.etag]));
  const summary = await rollupCandidates(candidates, { ...options, store }, policy, log, listedEtags);
  if (options.applyRetention ?? true) summary.retention = await applyRetention(store, plan, policy, log);
  // After the partitions: a day tile is derived from hour tables this run may just have changed.
  if (options.dayTiles ?? true) {
    summary.dayTiles = await refreshDayTiles(store, policy, log, manifests.current());
    summary.openDayTiles = await refreshOpenDayTiles(store, policy, log, manifests.current());
    summary.openHourTiles = await refreshOpenHourTiles(store, policy, log, manifests.current());
  }
  // Best effort: a missed heartbeat only makes the dashboard call the rollup late, it must not fail the pass.
  await writeRollupHeartbeat(store, {
    finishedAt: Date.now(),
    failed: summary.failed.length,
    ...coverage(options, policy, listedAt),
  }).catch((err: unknown) => log.warn({ err }, 'rollup heartbeat not written'));
  return summary;
}

/** Every candidate in order, each isolated (rollupSafely); partitions in backoff are deferred. */
async function rollupCandidates(
  candidates: PartitionCandidate[],
  options: RollupOnceOptions,
  policy: RollupPolicy & { force?: boolean },
  log: Logger,
  listedEtags: ReadonlyMap<string, string>,
): Promise<RollupRunSummary> {
  const summary: RollupRunSummary = { partitions: [], failed: [], deferred: [] };
  const pool = lazyPool(options);
  const backoff = options.backoff;
  const reports = new Map<PartitionCandidate, PartitionReport>();
  try {
    for (const candidate of candidates) {
      const name = partitionName(candidate);
      if (backoff?.isDeferred(name, policy.nowMs)) {
        summary.deferred.push(name);
        continue;
      }
      const compute = { pool: pool.get, limits: options.limits };
      const report = await rollupSafely(options.store, candidate, policy, log, summary, compute);
      if (report) reports.set(candidate, report);
      if (report) backoff?.recordSuccess(name);
      else backoff?.recordFailure(name, policy.nowMs);
      options.onPartition?.(report, summary.partitions.length + summary.failed.length, candidates.length);
    }
    await reconcileCarriedEdges(
      reports,
      { store: options.store, policy, log, listedEtags, summary },
      {
        pool: pool.get,
        limits: options.limits,
      },
    );
  } finally {
    await pool.close();
  }
  if (summary.deferred.length > 0)
    log.warn(
      { partitions: summary.deferred.slice(0, 10), count: summary.deferred.length },
      'failing partitions deferred',
    );
  return summary;
}

interface ReconcilePass {
  store: ObjectStore;
  policy: RollupPolicy & { force?: boolean };
  log: Logger;
  listedEtags: ReadonlyMap<string, string>;
  summary: RollupRunSummary;
}

/**
 * After every partition of the pass: partitions whose carried edges a neighbour hour may now name, so a call
 * across an hour boundary is matched in the pass that commits the later of its hours: waiting edges against the
 * next hour's heads (docs/adr/0096), early edges against the previous hour's tails (docs/adr/0128). A failure here
 * is the partition's own failure, isolated like the others.
 */
async function reconcileCarriedEdges(
  reports: Map<PartitionCandidate, PartitionReport>,
  pass: ReconcilePass,
  compute: PartitionCompute,
): Promise<void> {
  const byManifest = new Map([...reports.values()].map((r) => [r.partition, r]));
  // The carries are listed only when some partition offers early edges to its previous hour.
  const early = [...reports.values()].some((r) => (r.edgesEarly ?? 0) > 0);
  const carryEtags = early
    ? new Map((await pass.store.list(edgeCarryPrefix)).map((o) => [o.key, o.etag]))
    : new Map<string, string>();
  const listed = { next: pass.listedEtags, prev: carryEtags };
  for (const [candidate, report] of reports) {
    for (const side of [nextHourSide, prevHourSide]) {
      const neighbour = side.neighbour(candidate.partition);
      const checked = byManifest.get(report.partition) ?? report;
      const listedIdentity = listed[side.name].get(side.listedKey(neighbour));
      if (!needsNeighbourCheck(side, checked, listedIdentity, byManifest.get(buildManifestKey(neighbour))))
        continue;
      const recomputed = await reconcileSafely(side, candidate, pass, compute);
      // A recomputed partition is a committed neighbour for the partitions after it.
      if (recomputed) byManifest.set(recomputed.partition, recomputed);
    }
  }
}

async function reconcileSafely(
  side: NeighbourSide,
  candidate: PartitionCandidate,
  pass: ReconcilePass,
  compute: PartitionCompute,
): Promise<PartitionReport | undefined> {
  try {
    const recomputed = await reconcileNeighbourHour(
      side,
      pass.store,
      candidate,
      pass.policy,
      pass.log,
      compute,
    );
    if (recomputed) pass.summary.partitions.push(recomputed);
    return recomputed;
  } catch (error) {
    const { code = 'INTERNAL', message = String(error) } = error as { code?: string; message?: string };
    const partition = partitionName(candidate);
    pass.log.error({ partition, code, err: error }, 'partition rollup failed');
    pass.summary.failed.push({ partition, code, message });
    return undefined;
  }
}

/** One bad partition must not stop the others; its failure is reported and the run exits non-zero. */
async function rollupSafely(
  store: ObjectStore,
  candidate: PartitionCandidate,
  policy: RollupPolicy & { force?: boolean },
  log: Logger,
  summary: RollupRunSummary,
  compute: PartitionCompute,
): Promise<PartitionReport | undefined> {
  try {
    const report = await rollupPartition(store, candidate, policy, log, compute);
    summary.partitions.push(report);
    return report;
  } catch (error) {
    const { code = 'INTERNAL', message = String(error) } = error as { code?: string; message?: string };
    const partition = partitionName(candidate);
    log.error({ partition, code, err: error }, 'partition rollup failed');
    summary.failed.push({ partition, code, message });
    return undefined;
  }
}

function partitionName({ partition: { tenant, date, hour } }: PartitionCandidate): string {
  return `tenant=${tenant}/date=${date}/hour=${hour}`;
}

/** Started only when a partition actually needs computing, so an up-to-date pass costs no threads. */
function lazyPool(options: RollupOnceOptions) {
  let pool: SegmentScanPool | undefined;
  // One scanning thread by default: with the main thread deduping and aggregating that is a two-stage
  // pipeline, and each extra worker costs ~90 MiB of RSS (isolate, inflate buffers) for little more speed.
  const size = options.scanThreads ?? Math.min(1, availableParallelism() - 1);
  return {
    get: () => {
      if (pool === undefined && size > 0 && SegmentScanPool.isAvailable()) {
        const { scanWorkerHeapMb: heapMb, scanTimeoutMs } = options;
        pool = new SegmentScanPool({ size, heapMb, scanTimeoutMs });
      }
      return pool;
    },
    close: async () => pool?.close(),
  };
}
