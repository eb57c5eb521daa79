import type { RawFact } from '../../domain/raw-record.js';
import { buildWalFact } from '../testing/wal-test-records.js';
import { scanFactLine } from './wal-line-scanner.js';
import { walRecordJson } from './wal-record-json.js';

const fact = (overrides: Partial<RawFact> = {}) =>
  buildWalFact({ tenant: 'acme-2', ts: 1_763_632_800_123, latency_ms: 1.5, ...overrides });

const scan = (text: string) => {
  const bytes = Buffer.from(`xx${text}yy`);
  return scanFactLine(bytes, 2, bytes.length - 2);
};

describe('scanFactLine', () => {
  it.each([
    'plain',
    'with "quotes" and \\ backslashes',
    'ends with a backslash \\',
    'control \u0001 and unicode ☃ and \ud83d\ude00',
    '","ts":1,"forged":"',
  ])('reads tenant and ts exactly as JSON.parse does, event_id %j', (id) => {
    const line = walRecordJson(fact({ event_id: id }));
    const parsed = JSON.parse(line) as RawFact;
    expect(scan(line)).toEqual({ tenant: parsed.tenant, ts: parsed.ts });
  });

  it('leaves everything that is not a canonical fact line to the full parser', () => {
    expect(scan(JSON.stringify({ kind: 'event', tenant: 'acme', event_id: 'x', ts: 1 }))).toBeUndefined();
    expect(scan(JSON.stringify({ kind: 'rejected', tenant: 'acme', received_at: 1 }))).toBeUndefined();
    expect(scan('{"kind":"fact","tenant":"acme","event_id":"x","ts":1.5,"service":"a"}')).toBeUndefined();
    expect(scan('{"kind":"fact","tenant":"acme","event_id":"x","ts":1e3,"service":"a"}')).toBeUndefined();
    expect(scan('{"kind":"fact","tenant":"acme","event_id":"unterminated')).toBeUndefined();
    expect(scan('{"kind":"fact" ,"tenant":"acme"}')).toBeUndefined();
  });
});
