import { crc32 } from 'node:zlib';

/**
 * A WAL segment is a sequence of frames: u32 LE payload length, u32 LE CRC32 of
 * the payload, payload (UTF-8 JSON array of records, one frame per batch).
 * A crash can leave a torn last frame; readers stop at the first frame whose
 * length or checksum does not hold, and recovery truncates there.
 */
const headerBytes = 8;

export function encodeFrame(records: unknown[]): Buffer {
  const payload = Buffer.from(JSON.stringify(records), 'utf8');
  const frame = Buffer.allocUnsafe(headerBytes + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  payload.copy(frame, headerBytes);
  return frame;
}

export interface DecodedFrames<T> {
  records: T[];
  /** Bytes covered by whole, valid frames: the length to truncate a torn segment to. */
  validBytes: number;
}

export function decodeFrames<T>(bytes: Buffer): DecodedFrames<T> {
  const records: T[] = [];
  let offset = 0;
  while (offset + headerBytes <= bytes.length) {
    const length = bytes.readUInt32LE(offset);
    const end = offset + headerBytes + length;
    if (end > bytes.length) break;
    const payload = bytes.subarray(offset + headerBytes, end);
    if (crc32(payload) !== bytes.readUInt32LE(offset + 4)) break;
    records.push(...(JSON.parse(payload.toString('utf8')) as T[]));
    offset = end;
  }
  return { records, validBytes: offset };
}
