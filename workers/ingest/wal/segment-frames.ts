import { crc32 } from 'node:zlib';

/**
 * A WAL segment is a sequence of frames: u32 LE payload length, u32 LE CRC32 of
 * the payload, payload (UTF-8 JSON array of records, one frame per batch).
 * A crash can leave a torn last frame; readers stop at the first frame whose
 * length or checksum does not hold, and recovery truncates there.
 */
const headerBytes = 8;

/** Room for a record of this many UTF-16 units: at most 3 UTF-8 bytes each, plus a comma. */
const maxBytesFor = (json: string) => json.length * 3 + 1;

/**
 * One frame holding records as a JSON array. Each record's JSON is written straight into the frame buffer
 * (grown when needed): no array-sized intermediate string to build, encode and copy behind the header.
 */
export function encodeFrame<T>(
  records: readonly T[],
  toJson: (record: T) => string = JSON.stringify,
): Buffer {
  let frame = Buffer.allocUnsafe(headerBytes + 2 + records.length * 256);
  let offset = headerBytes;
  frame[offset++] = 0x5b; // '['
  for (let i = 0; i < records.length; i++) {
    const json = toJson(records[i]!);
    if (offset + maxBytesFor(json) + 1 > frame.length) {
      const grown = Buffer.allocUnsafe(2 * frame.length + maxBytesFor(json));
      frame.copy(grown, 0, 0, offset);
      frame = grown;
    }
    if (i > 0) frame[offset++] = 0x2c; // ','
    offset += frame.write(json, offset, 'utf8');
  }
  frame[offset++] = 0x5d; // ']'
  frame.writeUInt32LE(offset - headerBytes, 0);
  frame.writeUInt32LE(crc32(frame.subarray(headerBytes, offset)), 4);
  return frame.subarray(0, offset);
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
