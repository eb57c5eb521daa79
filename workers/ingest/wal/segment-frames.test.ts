import { decodeFrames, encodeFrame } from './segment-frames.js';

describe('WAL segment frames', () => {
  const firstFrame = encodeFrame([{ a: 1 }, { a: 2 }]);
  const segment = Buffer.concat([firstFrame, encodeFrame([{ a: 3 }])]);

  it('decodes every record of whole frames in order', () => {
    expect(decodeFrames(segment)).toEqual({
      records: [{ a: 1 }, { a: 2 }, { a: 3 }],
      validBytes: segment.length,
    });
  });

  it('stops before a torn last frame and reports where the valid prefix ends', () => {
    const torn = segment.subarray(0, segment.length - 3);
    expect(decodeFrames(torn)).toEqual({ records: [{ a: 1 }, { a: 2 }], validBytes: firstFrame.length });
  });

  it('stops at a frame whose checksum does not match', () => {
    const corrupt = Buffer.from(segment);
    corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 2) ^ 0xff, corrupt.length - 2);
    expect(decodeFrames(corrupt).records).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('grows the frame for records longer than its first guess, multi-byte UTF-8 included', () => {
    const records = [{ text: '€'.repeat(1000) }, { text: '😀'.repeat(300) }, { text: 'plain' }];
    const frame = encodeFrame(records);
    const layout = `[${records.map((r) => JSON.stringify(r)).join(',\n')}]`;
    expect(frame.readUInt32LE(0)).toBe(Buffer.byteLength(layout));
    expect(decodeFrames(frame)).toEqual({ records, validBytes: frame.length });
  });

  it('writes each record with the given serialiser', () => {
    const frame = encodeFrame([{ a: 1 }, { a: 2 }], (r) => JSON.stringify({ b: r.a }));
    expect(decodeFrames(frame).records).toEqual([{ b: 1 }, { b: 2 }]);
  });

  it('writes batches longer than one internal chunk whole and in order', () => {
    const records = Array.from({ length: 3000 }, (_, i) => ({ i, text: `record ${i} ü` }));
    expect(decodeFrames(encodeFrame(records)).records).toEqual(records);
  });
});
