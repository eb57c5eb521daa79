import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { decodeFrames } from './segment-frames.js';
import { fsyncDir, highWaterName, sealedSuffix, segmentName, segmentNamePattern } from './segment-files.js';
import type { SealedSegment } from './write-ahead-log.js';

/** The WAL directory holds something recovery must not guess about. */
export class InvalidWalStateError extends Error {
  readonly code = 'INVALID_WAL_STATE';
}

/**
 * Recovers a crashed run's segments in sequence order: every open segment (one per commit lane, docs/adr/0126)
 * is truncated at its torn tail and sealed, an empty one removed. Returns them with the highest number ever used,
 * after which numbering resumes.
 */
export async function recoverSegments(dir: string): Promise<{ lastSeq: number; recovered: SealedSegment[] }> {
  let lastSeq = await readHighWater(dir);
  const segments = (await fs.readdir(dir))
    .map((name) => ({ name, match: segmentNamePattern.exec(name) }))
    .filter((s): s is { name: string; match: RegExpExecArray } => s.match !== null)
    .sort((a, b) => Number(a.match[1]) - Number(b.match[1]) || (a.name < b.name ? -1 : 1));
  const recovered: SealedSegment[] = [];
  for (const { name, match } of segments) {
    const [seq, id, state] = [Number(match[1]), match[2], match[3]];
    lastSeq = Math.max(lastSeq, seq);
    const path = join(dir, name);
    const segment =
      state === 'open' ? await recoverOpenSegment(dir, seq, id, path) : await sizeOf(seq, id, path);
    if (segment) recovered.push(segment);
  }
  await fsyncDir(dir);
  return { lastSeq, recovered };
}

async function readHighWater(dir: string): Promise<number> {
  const path = join(dir, highWaterName);
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

/** Written before a segment with a new number is created; the caller's directory fsync makes it durable. */
export async function writeHighWater(dir: string, seq: number): Promise<void> {
  const temp = join(dir, `${highWaterName}.tmp`);
  await fs.writeFile(temp, `${seq}\n`, { flush: true, mode: 0o600 });
  await fs.rename(temp, join(dir, highWaterName));
}

async function sizeOf(seq: number, id: string | undefined, path: string): Promise<SealedSegment> {
  const { size } = await fs.stat(path);
  return { seq, ...(id === undefined ? {} : { id }), path, bytes: size };
}

async function recoverOpenSegment(
  dir: string,
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
  const sealedPath = join(dir, segmentName(seq, id, sealedSuffix));
  await fs.rename(path, sealedPath);
  return sizeOf(seq, id, sealedPath);
}
