import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { chooseLane, LaneBytes, type LaneName } from './commit-lanes.js';
import { decodeFrames, encodeFrame } from './segment-frames.js';
import {
  fsyncDir,
  openSuffix,
  sealedSuffix,
  segmentName,
  segmentOpenFlags,
  syncedWrites,
  writevAll,
} from './segment-files.js';
import { recoverSegments, writeHighWater } from './wal-recovery.js';
import { SegmentOwners } from './segment-owners.js';
import type { TestPause } from './test-pause.js';
import type { WalRecord } from './wal-record.js';
import { walRecordJson } from './wal-record-json.js';
import { takeFairGroup } from './fair-group.js';

export interface WalOptions {
  dir: string;
  /** Seal the open segment once it reaches this size. */
  maxSegmentBytes: number;
  /** Seal a non-empty open segment this long after its first write. */
  maxSegmentAgeMs: number;
  /** Called after a segment is sealed (durable, closed, renamed); the uploader takes it from here. */
  onSealed: (segment: SealedSegment) => void;
  /**
   * While several tenants wait, each joins a group commit with at most this many bytes (fair-group.ts); 0: every
   * pending append joins (GRAVIX_WAL_TENANT_GROUP_BYTES).
   */
  perOwnerGroupBytes?: number;
  /**
   * The most bytes one owner may have queued or being written in the small commit lane; a frame past that goes to
   * the bulk lane, whose open segment and group commits are its own (commit-lanes.ts, docs/adr/0126); 0: one lane
   * (GRAVIX_WAL_SMALL_LANE_TENANT_BYTES).
   */
  smallLaneTenantBytes?: number;
  /** Observes each group commit's fsync, for metrics. */
  onFsync?: (seconds: number, bytes: number) => void;
  /** A background seal (by age) failed; the next append will fail too and answer 503. */
  onBackgroundError?: (error: Error) => void;
  /** Test-only: holds a seal between closing the segment and renaming it (GRAVIX_TEST_SEAL_DELAY_MS). */
  testPause?: TestPause;
}

export interface SealedSegment {
  /** From the directory's persisted high-water mark: grows across restarts. */
  seq: number;
  /** Random per segment (16 hex digits); absent on segments written before segment ids existed. */
  id?: string;
  path: string;
  bytes: number;
}

export class WalClosedError extends Error {
  readonly code = 'WAL_CLOSED';
}

export { InvalidWalStateError } from './wal-recovery.js';

interface PendingAppend {
  frame: Buffer;
  /** Whose bytes these are (a tenant), for per-owner disk shares. */
  owner: string;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** One commit lane: its open segment, the appends waiting for its next group commit, and its commit loop. */
interface CommitLane {
  handle: FileHandle | undefined;
  seq: number;
  segmentId: string;
  openBytes: number;
  openedAt: number;
  pending: PendingAppend[];
  flushing: Promise<void> | undefined;
  /** Each owner's bytes queued or being written here. */
  queued: LaneBytes;
}

const newLane = (): CommitLane => ({
  handle: undefined,
  seq: 0,
  segmentId: '',
  openBytes: 0,
  openedAt: 0,
  pending: [],
  flushing: undefined,
  queued: new LaneBytes(),
});

/**
 * Write-ahead log with group commit: appends that arrive while a write+fsync is
 * in flight are batched into the next one, so each acknowledged batch is on disk
 * and the cost of fsync is shared. One writer (this process) per directory. Two commit lanes (commit-lanes.ts),
 * each with its own open segment, commit side by side: a small frame never shares an fsync with a large tenant's
 * bytes, nor waits for one in flight.
 */
export class WriteAheadLog {
  /** The highest segment number used so far; each lane's next segment takes the next one. */
  private lastSeq = 0;
  private readonly lanes: Record<LaneName, CommitLane> = { small: newLane(), bulk: newLane() };
  /** Segments are opened one at a time: each writes the directory's high-water mark first. */
  private opening: Promise<unknown> = Promise.resolve();
  /** Sealed segments not yet uploaded, by path. */
  private sealedBytes = new Map<string, number>();
  /** Bytes per owner of the open segment and of each sealed one; segments recovered at start have none. */
  private readonly owners = new SegmentOwners();
  private ageTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(private readonly options: WalOptions) {}

  /** Opens the log, recovering a crashed run: torn tails are truncated and unsealed segments sealed. */
  static async open(options: WalOptions): Promise<{ wal: WriteAheadLog; recovered: SealedSegment[] }> {
    const wal = new WriteAheadLog(options);
    // Segments hold every tenant's data: owner-only, the directory 0700 and each file 0600 (issue #17 item 7).
    await fs.mkdir(options.dir, { recursive: true, mode: 0o700 });
    await fs.chmod(options.dir, 0o700);
    const { lastSeq, recovered } = await recoverSegments(options.dir);
    wal.lastSeq = lastSeq;
    for (const segment of recovered) wal.sealedBytes.set(segment.path, segment.bytes);
    const sealByAge = () => void wal.sealIfOld().catch((error: Error) => options.onBackgroundError?.(error));
    wal.ageTimer = setInterval(sealByAge, Math.min(1000, options.maxSegmentAgeMs)).unref();
    return { wal, recovered };
  }

  /**
   * Appends one whole frame (encodeWalFrame); resolves once it is durable, rejects if the write failed. Its
   * bytes count toward `owner`'s share (ownerBytes) until the segment holding them is uploaded and deleted.
   */
  appendFrame(frame: Buffer, owner = ''): Promise<void> {
    if (this.closed) return Promise.reject(new WalClosedError('write-ahead log is closed'));
    const { small } = this.lanes;
    const lane =
      this.lanes[chooseLane(frame.length, small.queued.of(owner), this.options.smallLaneTenantBytes ?? 0)];
    lane.queued.add(owner, frame.length);
    return new Promise((resolve, reject) => {
      lane.pending.push({ frame, owner, resolve, reject });
      lane.flushing ??= this.flushLoop(lane);
    });
  }

  private async flushLoop(lane: CommitLane): Promise<void> {
    // Yield once so appends from the same tick join this group.
    await new Promise((r) => setImmediate(r));
    while (lane.pending.length > 0) {
      const { group, rest } = takeFairGroup(lane.pending, this.options.perOwnerGroupBytes ?? 0);
      // Appends that arrive during this write queue behind those held back: each tenant keeps its own order.
      lane.pending = rest;
      try {
        await this.writeGroup(
          lane,
          group.map((p) => p.frame),
        );
        for (const p of group) this.owners.add(lane.seq, p.owner, p.frame.length);
        this.settle(lane, group);
        for (const p of group) p.resolve();
      } catch (error) {
        this.settle(lane, group);
        for (const p of group) p.reject(error as Error);
      }
    }
    lane.flushing = undefined;
  }

  /** A written (or failed) group's bytes leave its lane's count before its writers hear of it. */
  private settle(lane: CommitLane, group: readonly PendingAppend[]): void {
    for (const p of group) lane.queued.remove(p.owner, p.frame.length);
  }

  /**
   * Frames go to disk with one writev (no concatenated copy of the group). The segment is opened with O_DSYNC
   * where the platform has it, so the writev returns only once the bytes are durable: one thread-pool round trip
   * per group commit instead of two (writev, then fdatasync), which is most of a small request's wait.
   */
  private async writeGroup(lane: CommitLane, frames: Buffer[]): Promise<void> {
    let bytes = 0;
    for (const frame of frames) bytes += frame.length;
    if (lane.handle && lane.openBytes > 0 && lane.openBytes + bytes > this.options.maxSegmentBytes) {
      await this.seal(lane);
    }
    const handle = lane.handle ?? (await this.openSegment(lane));
    const started = process.hrtime.bigint();
    await writevAll(handle, frames, bytes, lane.openBytes);
    if (!syncedWrites) await handle.datasync();
    this.options.onFsync?.(Number(process.hrtime.bigint() - started) / 1e9, bytes);
    lane.openBytes += bytes;
  }

  private openSegment(lane: CommitLane): Promise<FileHandle> {
    const opened = this.opening.then(() => this.openSegmentNow(lane));
    this.opening = opened.catch(() => undefined);
    return opened;
  }

  private async openSegmentNow(lane: CommitLane): Promise<FileHandle> {
    this.lastSeq += 1;
    const [seq, id] = [this.lastSeq, randomBytes(8).toString('hex')];
    await writeHighWater(this.options.dir, seq);
    const name = segmentName(seq, id, openSuffix);
    const handle = await fs.open(join(this.options.dir, name), segmentOpenFlags, 0o600);
    Object.assign(lane, { handle, seq, segmentId: id, openBytes: 0, openedAt: Date.now() });
    // One fsync makes both the high-water mark's rename and the new segment durable, before any record is.
    await fsyncDir(this.options.dir);
    return handle;
  }

  private async seal(lane: CommitLane): Promise<void> {
    const handle = lane.handle;
    if (!handle) return;
    // Capture and reset synchronously: a group commit may open the next segment while this one closes.
    const [seq, id, bytes] = [lane.seq, lane.segmentId, lane.openBytes];
    lane.handle = undefined;
    lane.openBytes = 0;
    const to = join(this.options.dir, segmentName(seq, id, sealedSuffix));
    this.sealedBytes.set(to, bytes);
    // A failed write may have left bytes past the last acknowledged frame.
    await handle.truncate(bytes);
    await handle.close();
    await this.options.testPause?.('seal', { seq });
    await fs.rename(join(this.options.dir, segmentName(seq, id, openSuffix)), to);
    await fsyncDir(this.options.dir);
    this.options.onSealed({ seq, id, path: to, bytes });
  }

  private async sealIfOld(): Promise<void> {
    for (const lane of Object.values(this.lanes)) {
      if (!lane.handle || lane.flushing || Date.now() - lane.openedAt < this.options.maxSegmentAgeMs)
        continue;
      await this.sealLane(lane);
    }
  }

  private async sealLane(lane: CommitLane): Promise<void> {
    while (lane.flushing) await lane.flushing;
    await this.seal(lane);
  }

  /** Seals every lane's open segment once its in-flight group commits are done. */
  async sealNow(): Promise<void> {
    for (const lane of Object.values(this.lanes)) await this.sealLane(lane);
  }

  /** Called by the uploader once a sealed segment is safely in the object store. */
  async deleteSealed(segment: SealedSegment): Promise<void> {
    await fs.rm(segment.path, { force: true });
    this.sealedBytes.delete(segment.path);
    this.owners.release(segment.seq);
  }

  /** Bytes on local disk written for `owner` (open segment and sealed segments not yet uploaded). */
  ownerBytes(owner: string): number {
    return this.owners.bytesOf(owner);
  }

  /** Bytes on local disk: the open segment plus sealed segments not yet uploaded. */
  diskBytes(): number {
    let total = this.lanes.small.openBytes + this.lanes.bulk.openBytes;
    for (const bytes of this.sealedBytes.values()) total += bytes;
    return total;
  }

  /** Stops accepting appends, waits for in-flight commits and seals the open segment. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.ageTimer) clearInterval(this.ageTimer);
    await this.sealNow();
  }

  /**
   * True while the directory accepts a new file: what sealing and opening the next segment need. Probed by
   * writing and removing a file, not by access(2), which says yes to root whatever the directory's mode, its
   * immutable flag or a full disk.
   */
  async isWritable(): Promise<boolean> {
    if (this.closed) return false;
    const probe = join(this.options.dir, '.write-probe');
    try {
      await fs.writeFile(probe, 'probe', { mode: 0o600 });
      await fs.rm(probe, { force: true });
      return true;
    } catch {
      return false;
    }
  }
}

/** The frame appendFrame takes for these records: facts through the hand-written JSON writer, the rest stringified. */
export function encodeWalFrame(records: readonly WalRecord[]): Buffer {
  return encodeFrame(records, walRecordJson);
}

/** Reads every record of a sealed segment. */
export async function readSegmentRecords(path: string): Promise<WalRecord[]> {
  return decodeFrames<WalRecord>(await fs.readFile(path)).records;
}
