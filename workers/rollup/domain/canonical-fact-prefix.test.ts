import fc from 'fast-check';
import { readCanonicalFactPrefix, type CanonicalFactPrefix } from './canonical-fact-prefix.js';
import { RawFactScanner } from './raw-fact-scanner.js';

/** A fact line in ingest's layout (wal-record-json.ts) with optional trailing members. */
function canonicalLine(f: Record<string, unknown>, trailing = ''): string {
  const q = JSON.stringify;
  return (
    `{"kind":"fact","tenant":${q(f['tenant'])},"event_id":${q(f['event_id'])},"ts":${String(f['ts'])}` +
    `,"service":${q(f['service'])},"method":${q(f['method'])},"path":${q(f['path'])}` +
    `,"status_code":${String(f['status_code'])},"latency_ms":${String(f['latency_ms'])}${trailing}}`
  );
}

const fact = fc.record({
  tenant: fc.string({ maxLength: 6 }),
  event_id: fc.string({ maxLength: 12 }),
  ts: fc.oneof(fc.integer({ min: -5, max: 4_102_444_800_000 }), fc.double({ noNaN: true })),
  service: fc.string({ maxLength: 8 }),
  method: fc.constantFrom('GET', 'POST', '', 'é'),
  path: fc.string({ unit: 'binary', maxLength: 12 }),
  status_code: fc.oneof(fc.integer({ min: 0, max: 700 }), fc.constantFrom('0200', '2e2', '-1')),
  latency_ms: fc.oneof(
    fc.double({ min: -1, max: 1e7, noNaN: true }),
    fc.constantFrom('1e-7', '01', '1.', ''),
  ),
});

const trailing = fc.constantFrom(
  '',
  ',"env":"prod"',
  ',"trace_id":"ab","span_id":"cd"',
  ',"weight":4',
  ',"ts":5',
  ',',
  ',"extra":1',
  ',"version":"a\\"b"',
);

/** The scanner with the canonical reader bypassed: only its generic member reader. */
function genericScan(buf: Buffer): RawFactScanner['fact'] | undefined {
  const scanner = new RawFactScanner();
  (scanner as unknown as { readCanonical: () => number }).readCanonical = () => -1;
  return scanner.scan(buf, 0, buf.length) ? { ...scanner.fact } : undefined;
}

function fullScan(buf: Buffer): RawFactScanner['fact'] | undefined {
  const scanner = new RawFactScanner();
  return scanner.scan(buf, 0, buf.length) ? { ...scanner.fact } : undefined;
}

describe('readCanonicalFactPrefix', () => {
  it('makes the scanner answer exactly what its generic member reader answers, for any line in ingest layout', () => {
    fc.assert(
      fc.property(fact, trailing, fc.nat(400), fc.integer({ min: 0, max: 255 }), (f, tail, at, byte) => {
        const line = Buffer.from(canonicalLine(f, tail));
        expect(fullScan(line)).toEqual(genericScan(line));
        // One byte changed anywhere (a broken separator, a quote, a control character) must not change that.
        const mutated = Buffer.from(line);
        mutated[at % mutated.length] = byte;
        expect(fullScan(mutated)).toEqual(genericScan(mutated));
      }),
      { numRuns: 3_000 },
    );
  });

  it('reads the nine members of the layout ingest writes', () => {
    const buf = Buffer.from(
      canonicalLine({
        tenant: 'acme',
        event_id: 'e-1',
        ts: 1795168800123,
        service: 'checkout',
        method: 'GET',
        path: '/a/:id',
        status_code: 503,
        latency_ms: 12.5,
      }),
    );
    const out = {} as CanonicalFactPrefix;
    expect(readCanonicalFactPrefix(buf, 0, buf.length - 1, out)).toBe(buf.length - 1);
    const text = (s: number, e: number) => buf.toString('utf8', s, e);
    expect({
      id: text(out.idStart, out.idEnd),
      service: text(out.serviceStart, out.serviceEnd),
      method: text(out.methodStart, out.methodEnd),
      path: text(out.pathStart, out.pathEnd),
      ts: out.ts,
      status: out.status_code,
      latency: out.latency_ms,
    }).toEqual({
      id: 'e-1',
      service: 'checkout',
      method: 'GET',
      path: '/a/:id',
      ts: 1795168800123,
      status: 503,
      latency: 12.5,
    });
  });

  it.each([
    ['an exponent', '2.5e-7', 2.5e-7],
    ['17 significant digits (an unrounded latency)', '123.45678901234567', 123.45678901234567],
  ])('reads a latency with %s as JSON.parse does', (_name, text, expected) => {
    const f = { tenant: 't', event_id: 'e', ts: 1, service: 's', method: 'GET', path: '/', status_code: 200 };
    const buf = Buffer.from(canonicalLine({ ...f, latency_ms: text }));
    const out = {} as CanonicalFactPrefix;
    expect(readCanonicalFactPrefix(buf, 0, buf.length - 1, out)).toBe(buf.length - 1);
    expect(out.latency_ms).toBe(expected);
  });

  it.each([
    [
      'another key order',
      '{"kind":"fact","event_id":"e","tenant":"t","ts":1,"service":"s","method":"GET","path":"/","status_code":200,"latency_ms":1}',
    ],
    [
      'a non-ASCII event id',
      canonicalLine({
        tenant: 't',
        event_id: 'é',
        ts: 1,
        service: 's',
        method: 'GET',
        path: '/',
        status_code: 200,
        latency_ms: 1,
      }),
    ],
    [
      'an empty path',
      canonicalLine({
        tenant: 't',
        event_id: 'e',
        ts: 1,
        service: 's',
        method: 'GET',
        path: '',
        status_code: 200,
        latency_ms: 1,
      }),
    ],
    [
      'a number JSON does not allow',
      canonicalLine({
        tenant: 't',
        event_id: 'e',
        ts: 1,
        service: 's',
        method: 'GET',
        path: '/',
        status_code: 200,
        latency_ms: '1.',
      }),
    ],
  ])('declines %s (the generic reader decides)', (_name, line) => {
    const buf = Buffer.from(line);
    expect(readCanonicalFactPrefix(buf, 0, buf.length - 1, {} as CanonicalFactPrefix)).toBe(-1);
  });
});
