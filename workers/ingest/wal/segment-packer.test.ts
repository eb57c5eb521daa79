import { crc32, gunzipSync } from 'node:zlib';
import { buildWalFact, walJsonLines } from '../testing/wal-test-records.js';
import { encodeFrame } from './segment-frames.js';
import { packSegment, type PackedObject } from './segment-packer.js';
import type { DeadLetterRecord } from './wal-record.js';
import { walRecordJson } from './wal-record-json.js';

const hour = Date.parse('2026-11-23T10:00:00Z');
const fact = (id: string, ts: number, tenant = 'acme') => buildWalFact({ tenant, event_id: id, ts });
const dead: DeadLetterRecord = {
  kind: 'rejected',
  tenant: 'acme',
  received_at: hour + 5,
  error: { index: 0, code: 'NOT_AN_OBJECT', message: 'item 0 must be a JSON object' },
  item: 7,
};

const unpack = (objects: PackedObject[]) =>
  Object.fromEntries(
    objects.map(({ layer, partition: p, body }) => [
      `${layer}/tenant=${p.tenant}/date=${p.date}/hour=${p.hour}`,
      gunzipSync(body).toString('utf8'),
    ]),
  );

describe('packSegment', () => {
  it('splits every frame by layer, tenant and hour into JSONL objects, keeping WAL order across frames', () => {
    const [a, b, c, d] = [
      fact('a', hour + 1),
      fact('b', hour + 3_600_000),
      fact('c', hour + 2),
      fact('d', hour + 3, 'globex'),
    ];
    const segment = Buffer.concat([encodeFrame([a, b, dead]), encodeFrame([c, d])]);
    expect(unpack(packSegment(segment))).toEqual({
      'raw/tenant=acme/date=2026-11-23/hour=10': walJsonLines(a, c),
      'raw/tenant=acme/date=2026-11-23/hour=11': walJsonLines(b),
      'raw/tenant=globex/date=2026-11-23/hour=10': walJsonLines(d),
      'dead-letter/tenant=acme/date=2026-11-23/hour=10': walJsonLines(dead),
    });
  });

  it('gives the same objects in the same order for the same bytes (a re-upload finds its own objects)', () => {
    const segment = encodeFrame([fact('a', hour), dead, fact('b', hour + 3_600_000)], walRecordJson);
    const [first, second] = [packSegment(segment), packSegment(segment)];
    expect(second.map((o) => [o.layer, o.partition, o.body])).toEqual(
      first.map((o) => [o.layer, o.partition, o.body]),
    );
  });

  it('routes copied fact lines exactly as parsed ones, and reads frames written before the line layout', () => {
    const records = [
      fact('x "quoted" \\ id', hour + 7),
      dead,
      fact('y', hour + 3_600_000, 'globex'),
      fact('z', hour + 9),
    ];
    const lineLayout = encodeFrame(records, walRecordJson);
    const json = Buffer.from(JSON.stringify(records));
    const oldLayout = Buffer.alloc(8 + json.length);
    oldLayout.writeUInt32LE(json.length, 0);
    oldLayout.writeUInt32LE(crc32(json), 4);
    json.copy(oldLayout, 8);
    expect(lineLayout.includes('\n')).toBe(true);
    expect(unpack(packSegment(lineLayout))).toEqual(unpack(packSegment(oldLayout)));
    expect(Object.keys(unpack(packSegment(lineLayout)))).toHaveLength(3);
  });

  it('ignores a torn last frame', () => {
    const whole = encodeFrame([fact('a', hour)]);
    const segment = Buffer.concat([whole, encodeFrame([fact('b', hour)]).subarray(0, 10)]);
    expect(Object.values(unpack(packSegment(segment)))).toEqual([walJsonLines(fact('a', hour))]);
  });
});
