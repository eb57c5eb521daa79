import { crc32, gunzipSync } from 'node:zlib';
import type { RawFact } from '../../domain/raw-record.js';
import { encodeFrame } from './segment-frames.js';
import { packSegment } from './segment-packer.js';
import type { DeadLetterRecord, WalRecord } from './wal-record.js';
import { walRecordJson } from './wal-record-json.js';

const hour = Date.parse('2026-11-23T10:00:00Z');
const fact = (id: string, ts: number, tenant = 'acme'): RawFact => ({
  kind: 'fact',
  tenant,
  event_id: id,
  ts,
  service: 'api',
  method: 'GET',
  path: '/a',
  status_code: 200,
  latency_ms: 1,
});
const dead: DeadLetterRecord = {
  kind: 'rejected',
  tenant: 'acme',
  received_at: hour + 5,
  error: { index: 0, code: 'NOT_AN_OBJECT', message: 'item 0 must be a JSON object' },
  item: 7,
};

const unpack = (objects: Map<string, Buffer>) =>
  Object.fromEntries([...objects].map(([key, gz]) => [key, gunzipSync(gz).toString('utf8')]));
const lines = (...records: WalRecord[]) => records.map((r) => `${walRecordJson(r)}\n`).join('');

describe('packSegment', () => {
  it('splits every frame by tenant and hour into JSONL objects, keeping WAL order across frames', () => {
    const [a, b, c, d] = [
      fact('a', hour + 1),
      fact('b', hour + 3_600_000),
      fact('c', hour + 2),
      fact('d', hour + 3, 'globex'),
    ];
    const segment = Buffer.concat([encodeFrame([a, b, dead]), encodeFrame([c, d])]);
    expect(unpack(packSegment(segment, 'ing-1', 7))).toEqual({
      'raw/tenant=acme/date=2026-11-23/hour=10/ing-1-000000000007.jsonl.gz': lines(a, c),
      'raw/tenant=acme/date=2026-11-23/hour=11/ing-1-000000000007.jsonl.gz': lines(b),
      'raw/tenant=globex/date=2026-11-23/hour=10/ing-1-000000000007.jsonl.gz': lines(d),
      'dead-letter/tenant=acme/date=2026-11-23/hour=10/ing-1-000000000007.jsonl.gz': lines(dead),
    });
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
    expect(unpack(packSegment(lineLayout, 'ing-1', 3))).toEqual(unpack(packSegment(oldLayout, 'ing-1', 3)));
    expect(Object.keys(unpack(packSegment(lineLayout, 'ing-1', 3)))).toHaveLength(3);
  });

  it('ignores a torn last frame', () => {
    const whole = encodeFrame([fact('a', hour)]);
    const segment = Buffer.concat([whole, encodeFrame([fact('b', hour)]).subarray(0, 10)]);
    expect(Object.values(unpack(packSegment(segment, 'ing-1', 1)))).toEqual([lines(fact('a', hour))]);
  });
});
