import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

export const openSuffix = '.open';
export const sealedSuffix = '.sealed';
/** `seg-<seq>-<id>.open|.sealed`; segments from before segment ids are `seg-<seq>.open|.sealed`. */
export const segmentNamePattern = /^seg-(\d{12})(?:-([0-9a-f]{16}))?\.(open|sealed)$/;
export const segmentName = (seq: number, id: string | undefined, suffix: string) =>
  `seg-${String(seq).padStart(12, '0')}${id === undefined ? '' : `-${id}`}${suffix}`;
/**
 * The highest sequence number ever given to a segment in this directory. It is written (temp file, fsync,
 * rename) before a segment with a new number is created, and the directory fsync that makes the new segment
 * durable makes it durable too, so numbers never repeat, even once every segment is uploaded and deleted.
 */
export const highWaterName = 'seq-high-water';

/** O_DSYNC (Linux, macOS): each write is durable when it returns. Elsewhere an fdatasync follows each write. */
export const syncedWrites = fs.constants.O_DSYNC !== undefined;
const { O_WRONLY, O_CREAT, O_EXCL, O_DSYNC } = fs.constants;
export const segmentOpenFlags = O_WRONLY | O_CREAT | O_EXCL | (syncedWrites ? O_DSYNC : 0);

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  await handle.sync().finally(() => handle.close());
}

/** writev may write less than asked (e.g. past IOV_MAX buffers); the rest is written until all bytes are down. */
export async function writevAll(
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
