import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeFrames, encodeFrame } from './segment-frames.js';
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

/** The WAL directory holds something recovery must not guess about. */
export class InvalidWalStateError extends Error {
  readonly code = 'INVALID_WAL_STATE';
}

interface PendingAppend {
  frame: Buffer;
  /** Whose bytes these are (a tenant), for per-owner disk shares. */
  owner: string;
  resolve: () => void;
  reject: (error: Error) => void;
}

const openSuffix = '.open';
const sealedSuffix = '.sealed';
/** `seg-<seq>-<id>.open|.sealed`; segments from before segment ids are `seg-<seq>.open|.sealed`. */
const segmentNamePattern = /^seg-(\d{12})(?:-([0-9a-f]{16}))?\.(open|sealed)$/;
const segmentName = (seq: number, id: string | undefined, suffix: string) =>
  `seg-${String(seq).padStart(12, '0')}${id === undefined ? '' : `-${id}`}${suffix}`;
/**
 * The highest sequence number ever given to a segment in this directory. It is written (temp file, fsync,
 * rename) before a segment with a new number is created, and the directory fsync that makes the new segment
 * durable makes it durable too, so numbers never repeat, even once every segment is uploaded and deleted.
 */
const highWaterName = 'seq-high-water';

/** O_DSYNC (Linux, macOS): each write is durable when it returns. Elsewhere an fdatasync follows each write. */
const syncedWrites = fs.constants.O_DSYNC !== undefined;
const { O_WRONLY, O_CREAT, O_EXCL, O_DSYNC } = fs.constants;
const segmentOpenFlags = O_WRONLY | O_CREAT | O_EXCL | (syncedWrites ? O_DSYNC : 0);

async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  await handle.sync().finally(() => handle.close());
}

/** writev may write less than asked (e.g. past IOV_MAX buffers); the rest is written until all bytes are down. */
async function writevAll(
  handle: FileHandle,
  frames: Buffer[],
  bytes: number,
  position: number,
): Promise<void> {
  let { bytesWritten } = await handle.writev(frames, position);
  while (bytesWritten < bytes) {
    const rest = Buffer.concat(frames).subarray(bytesWritten);
    bytesWritten += (await handle.write(rest, 0, rest.length, position + bytesWritten)).bytesWritten;
  }
}

/**
 * Write-ahead log with group commit: appends that arrive while a write+fsync is
 * in flight are batched into the next one, so each acknowledged batch is on disk
 * and the cost of fsync is shared. One writer (this process) per directory.
 */
export class WriteAheadLog {
  private handle: FileHandle | undefined;
  private seq = 0;
  private segmentId = '';
  private openBytes = 0;
  private openedAt = 0;
  /** Sealed segments not yet uploaded, by path. */
  private sealedBytes = new Map<string, number>();
  /** Bytes per owner of the open segment and of each sealed one; segments recovered at start have none. */
  private readonly owners = new SegmentOwners();
  private pending: PendingAppend[] = [];
  private flushing: Promise<void> | undefined;
  private ageTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(private readonly options: WalOptions) {}

  /** Opens the log, recovering a crashed run: torn tails are truncated and unsealed segments sealed. */
  static async open(options: WalOptions): Promise<{ wal: WriteAheadLog; recovered: SealedSegment[] }> {
    const wal = new WriteAheadLog(options);
    // Segments hold every tenant's data: owner-only, the directory 0700 and each file 0600 (issue #17 item 7).
    await fs.mkdir(options.dir, { recursive: true, mode: 0o700 });
    await fs.chmod(options.dir, 0o700);
    const recovered = await wal.recover();
    const sealByAge = () => void wal.sealIfOld().catch((error: Error) => options.onBackgroundError?.(error));
    wal.ageTimer = setInterval(sealByAge, Math.min(1000, options.maxSegmentAgeMs)).unref();
    return { wal, recovered };
  }

  /** Recovers leftover segments in sequence order and resumes numbering after the highest number ever used. */
  private async recover(): Promise<SealedSegment[]> {
    this.seq = await this.readHighWater();
    const segments = (await fs.readdir(this.options.dir))
      .map((name) => ({ name, match: segmentNamePattern.exec(name) }))
      .filter((s): s is { name: string; match: RegExpExecArray } => s.match !== null)
      .sort((a, b) => Number(a.match[1]) - Number(b.match[1]) || (a.name < b.name ? -1 : 1));
    const sealed: SealedSegment[] = [];
    for (const { name, match } of segments) {
      const [seq, id, state] = [Number(match[1]), match[2], match[3]];
      this.seq = Math.max(this.seq, seq);
      const path = join(this.options.dir, name);
      const segment =
        state === 'open' ? await this.recoverOpenSegment(seq, id, path) : await this.sizeOf(seq, id, path);
      if (segment) sealed.push(segment);
    }
    await fsyncDir(this.options.dir);
    return sealed;
  }

  private async readHighWater(): Promise<number> {
    const path = join(this.options.dir, highWaterName);
    let text: string;
    try {
      text = await fs.readFile(path, 'utf8');
    } catch (error) {
      // A new directory, or one written before the high-water mark existed: its segments give the start.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    if (!/^\d{1,15}\n$/.test(text)) {
      throw new InvalidWalStateError(
        `${path} holds ${JSON.stringify(text.slice(0, 40))}, expected a sequence number and a newline; ` +
          'remove it to restart numbering from the segments present (segment ids keep object keys unique)',
      );
    }
    return Number(text);
  }

  private async writeHighWater(seq: number): Promise<void> {
    const temp = join(this.options.dir, `${highWaterName}.tmp`);
    await fs.writeFile(temp, `${seq}\n`, { flush: true, mode: 0o600 });
    await fs.rename(temp, join(this.options.dir, highWaterName));
  }

  private async sizeOf(seq: number, id: string | undefined, path: string): Promise<SealedSegment> {
    const { size } = await fs.stat(path);
    this.sealedBytes.set(path, size);
    return { seq, ...(id === undefined ? {} : { id }), path, bytes: size };
  }

  private async recoverOpenSegment(
    seq: number,
    id: string | undefined,
    path: string,
  ): Promise<SealedSegment | undefined> {
    const bytes = await fs.readFile(path);
    const { validBytes } = decodeFrames(bytes);
    if (validBytes === 0) {
      await fs.rm(path);
      return undefined;
    }
    if (validBytes < bytes.length) await fs.truncate(path, validBytes);
    const sealedPath = join(this.options.dir, segmentName(seq, id, sealedSuffix));
    await fs.rename(path, sealedPath);
    return this.sizeOf(seq, id, sealedPath);
  }

  /**
   * Appends one whole frame (encodeWalFrame); resolves once it is durable, rejects if the write failed. Its
   * bytes count toward `owner`'s share (ownerBytes) until the segment holding them is uploaded and deleted.
   */
  appendFrame(frame: Buffer, owner = ''): Promise<void> {
    if (this.closed) return Promise.reject(new WalClosedError('write-ahead log is closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({ frame, owner, resolve, reject });
      this.flushing ??= this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    // Yield once so appends from the same tick join this group.
    await new Promise((r) => setImmediate(r));
    while (this.pending.length > 0) {
      const { group, rest } = takeFairGroup(this.pending, this.options.perOwnerGroupBytes ?? 0);
      // Appends that arrive during this write queue behind those held back: each tenant keeps its own order.
      this.pending = rest;
      try {
        await this.writeGroup(group.map((p) => p.frame));
        for (const p of group) this.owners.add(this.seq, p.owner, p.frame.length);
        for (const p of group) p.resolve();
      } catch (error) {
        for (const p of group) p.reject(error as Error);
      }
    }
    this.flushing = undefined;
  }

  /**
   * Frames go to disk with one writev (no concatenated copy of the group). The segment is opened with O_DSYNC
   * where the platform has it, so the writev returns only once the bytes are durable: one thread-pool round trip
   * per group commit instead of two (writev, then fdatasync), which is most of a small request's wait.
   */
  private async writeGroup(frames: Buffer[]): Promise<void> {
    let bytes = 0;
    for (const frame of frames) bytes += frame.length;
    if (this.handle && this.openBytes > 0 && this.openBytes + bytes > this.options.maxSegmentBytes) {
      await this.seal();
    }
    const handle = this.handle ?? (await this.openSegment());
    const started = process.hrtime.bigint();
    await writevAll(handle, frames, bytes, this.openBytes);
    if (!syncedWrites) await handle.datasync();
    this.options.onFsync?.(Number(process.hrtime.bigint() - started) / 1e9, bytes);
    this.openBytes += bytes;
  }

  private async openSegment(): Promise<FileHandle> {
    this.seq += 1;
    this.segmentId = randomBytes(8).toString('hex');
    await this.writeHighWater(this.seq);
    const name = segmentName(this.seq, this.segmentId, openSuffix);
    this.handle = await fs.open(join(this.options.dir, name), segmentOpenFlags, 0o600);
    // One fsync makes both the high-water mark's rename and the new segment durable, before any record is.
    await fsyncDir(this.options.dir);
    this.openBytes = 0;
    this.openedAt = Date.now();
    return this.handle;
  }

  private async seal(): Promise<void> {
    const handle = this.handle;
    if (!handle) return;
    // Capture and reset synchronously: a group commit may open the next segment while this one closes.
    const [seq, id, bytes] = [this.seq, this.segmentId, this.openBytes];
    this.handle = undefined;
    this.openBytes = 0;
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
    if (!this.handle || this.flushing || Date.now() - this.openedAt < this.options.maxSegmentAgeMs) return;
    await this.sealNow();
  }

  /** Seals the open segment once in-flight group commits are done. */
  async sealNow(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.seal();
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
    let total = this.openBytes;
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
