import { crc32 } from 'node:zlib';
import { ByteSink } from './byte-sink.js';

/**
 * A WAL segment is a sequence of frames: u32 LE payload length, u32 LE CRC32 of
 * the payload, payload (UTF-8 JSON array of records, one frame per batch). Records are separated by ",\n":
 * still one JSON document, and since JSON text never holds a raw newline, a reader can split the records
 * without parsing them (the segment packer does). Frames written before this layout have no newlines.
 * A crash can leave a torn last frame; readers stop at the first frame whose
 * length or checksum does not hold, and recovery truncates there.
 */
export const frameHeaderBytes = 8;
const headerBytes = frameHeaderBytes;

/** Records are joined into strings of about this many characters, each written to the frame with one call. */
const chunkChars = 16_384;

/**
 * One frame holding records as a JSON array. Records' JSON is joined into chunks written straight into the
 * frame buffer: no array-sized intermediate string to build, encode and copy behind the header, and one
 * Buffer.write per chunk rather than per record.
 */
export function encodeFrame<T>(
  records: readonly T[],
  toJson: (record: T) => string = JSON.stringify,
): Buffer {
  const out = new ByteSink(headerBytes + 2 + records.length * 256, headerBytes);
  let chunk = '[';
  for (let i = 0; i < records.length; i++) {
    chunk += i === 0 ? toJson(records[i]!) : `,\n${toJson(records[i]!)}`;
    if (chunk.length >= chunkChars) {
      out.text(chunk);
      chunk = '';
    }
  }
  out.text(`${chunk}]`);
  return sealFrame(out.bytes, out.length);
}

/** Fills in the header of a frame whose payload was written at frameHeaderBytes up to end; returns the frame. */
export function sealFrame(buffer: Buffer, end: number): Buffer {
  buffer.writeUInt32LE(end - headerBytes, 0);
  buffer.writeUInt32LE(crc32(buffer.subarray(headerBytes, end)), 4);
  return buffer.subarray(0, end);
}

export interface DecodedFrames<T> {
  records: T[];
  /** Bytes covered by whole, valid frames: the length to truncate a torn segment to. */
  validBytes: number;
}

/** Calls onPayload with each whole, valid frame's payload in order; returns the valid prefix's length. */
export function forEachFramePayload(bytes: Buffer, onPayload: (payload: Buffer) => void): number {
  let offset = 0;
  while (offset + headerBytes <= bytes.length) {
    const length = bytes.readUInt32LE(offset);
    const end = offset + headerBytes + length;
    if (end > bytes.length) break;
    const payload = bytes.subarray(offset + headerBytes, end);
    if (crc32(payload) !== bytes.readUInt32LE(offset + 4)) break;
    onPayload(payload);
    offset = end;
  }
  return offset;
}

/** Calls onRecords with the records of each whole, valid frame in order; returns the valid prefix's length. */
export function forEachFrame<T>(bytes: Buffer, onRecords: (records: T[]) => void): number {
  return forEachFramePayload(bytes, (payload) => onRecords(JSON.parse(payload.toString('utf8')) as T[]));
}

export function decodeFrames<T>(bytes: Buffer): DecodedFrames<T> {
  const records: T[] = [];
  const validBytes = forEachFrame<T>(bytes, (frame) => {
    for (const record of frame) records.push(record);
  });
  return { records, validBytes };
}
