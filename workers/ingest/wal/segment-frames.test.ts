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
});
