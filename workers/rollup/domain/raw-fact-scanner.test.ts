import fc from 'fast-check';
import { EventFingerprintSet } from './event-fingerprint-set.js';
import { parseRawLine } from './parse-raw-line.js';
import { RawFactScanner, parseSimpleJsonNumber } from './raw-fact-scanner.js';

const baseFact = {
  kind: 'fact',
  tenant: 'acme',
  event_id: 'e-1',
  ts: 1795168800123,
  service: 'checkout',
  method: 'GET',
  path: '/api/items/:id',
  status_code: 200,
  latency_ms: 12.5,
};

function scan(line: string) {
  const scanner = new RawFactScanner();
  const buf = Buffer.from(line);
  return scanner.scan(buf, 0, buf.length)
    ? { ...scanner.fact, id: buf.toString('utf8', scanner.fact.idStart, scanner.fact.idEnd) }
    : undefined;
}

describe('RawFactScanner', () => {
  it('reads every field of a compact fact exactly as JSON.parse does', () => {
    fc.assert(
      fc.property(
        fc.record({
          event_id: fc.string({ minLength: 1, maxLength: 40 }),
          service: fc.string({ minLength: 1, maxLength: 12 }),
          path: fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
          ts: fc.integer({ min: 0, max: 4_102_444_800_000 }),
          status_code: fc.integer({ min: 100, max: 599 }),
          latency_ms: fc.oneof(
            fc.double({ min: 0, max: 1e7, noNaN: true }),
            fc.integer({ min: 0, max: 100_000 }),
          ),
          version: fc.option(fc.string(), { nil: undefined }),
        }),
        (overrides) => {
          const line = JSON.stringify({ ...baseFact, ...overrides });
          const scanned = scan(line);
          if (scanned === undefined) return; // fell back: parseRawLine decides
          const parsed = parseRawLine(line) as typeof baseFact;
          expect(scanned).toMatchObject({
            id: parsed.event_id,
            ts: parsed.ts,
            service: parsed.service,
            method: parsed.method,
            path: parsed.path,
            status_code: parsed.status_code,
            latency_ms: parsed.latency_ms,
          });
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('takes the fast path for the canonical form ingest writes', () => {
    expect(scan(JSON.stringify(baseFact))).toMatchObject({
      id: 'e-1',
      latency_ms: 12.5,
      path: '/api/items/:id',
    });
  });

  it.each([
    ['whitespace', JSON.stringify(baseFact, null, 1).replace(/\n/g, '')],
    ['an escaped string', JSON.stringify({ ...baseFact, path: '/a"b' })],
    ['a service event', JSON.stringify({ ...baseFact, kind: 'event' })],
    ['a missing field', JSON.stringify({ ...baseFact, latency_ms: undefined })],
    ['a leading zero', JSON.stringify(baseFact).replace('"status_code":200', '"status_code":0200')],
    ['a hex number', JSON.stringify(baseFact).replace('"status_code":200', '"status_code":0x1f')],
    ['a string number', JSON.stringify({ ...baseFact, ts: '1795168800123' })],
    ['an unknown key', JSON.stringify({ ...baseFact, extra: 1 })],
    ['a nested optional value', JSON.stringify({ ...baseFact, env: { ts: 1 } })],
    ['a non-ASCII event id', JSON.stringify({ ...baseFact, event_id: 'é-1' })],
    ['a status out of range', JSON.stringify({ ...baseFact, status_code: 600 })],
    ['a negative latency', JSON.stringify({ ...baseFact, latency_ms: -1 })],
    ['a trailing comma', JSON.stringify(baseFact).replace(/}$/, ',}')],
  ])('falls back to parseRawLine for %s', (_name, line) => {
    expect(scan(line)).toBeUndefined();
  });

  it.each([
    ['an exponent', 1e-7],
    ['17 significant digits (an unrounded latency)', 123.45678901234567],
  ])('keeps a latency with %s on the fast path, read as JSON.parse reads it', (_name, latency) => {
    const line = JSON.stringify({ ...baseFact, latency_ms: latency });
    expect(scan(line)?.latency_ms).toBe((JSON.parse(line) as typeof baseFact).latency_ms);
  });

  it('interns low-cardinality strings so equal values are one string', () => {
    const scanner = new RawFactScanner();
    const a = Buffer.from(JSON.stringify(baseFact));
    scanner.scan(a, 0, a.length);
    const first = scanner.fact.path;
    scanner.scan(Buffer.from(a), 0, a.length);
    expect(scanner.fact.path).toBe(first);
  });
});

describe('parseSimpleJsonNumber', () => {
  it('gives the same double as JSON.parse for plain decimals', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 999_999_999 }),
        fc.integer({ min: 0, max: 6 }),
        (digits, scale) => {
          const text =
            scale === 0
              ? String(digits)
              : `${Math.floor(digits / 10 ** scale)}.${String(digits % 10 ** scale).padStart(scale, '0')}`;
          const bytes = Buffer.from(text);
          expect(parseSimpleJsonNumber(bytes, 0, bytes.length)).toBe(JSON.parse(text));
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe('EventFingerprintSet', () => {
  it('sees an ASCII id as the same event from a string and from bytes', () => {
    const set = new EventFingerprintSet(16);
    const ids = Array.from({ length: 10_000 }, (_, i) => `evt-${i}-${(i * 7919) % 1000}`);
    ids.forEach((id) => expect(set.add(id)).toBe(true));
    ids.forEach((id) => expect(set.addAscii(Buffer.from(`x${id}y`), 1, id.length + 1)).toBe(false));
    expect(set.size).toBe(10_000);
  });
});

describe('RawFactScanner and OTLP facts', () => {
  const line = (extra: string) =>
    Buffer.from(
      `{"kind":"fact","tenant":"t","event_id":"a-b","ts":1,"service":"s","method":"GET","path":"/","status_code":200,"latency_ms":1.5,"trace_id":"ab","span_id":"cd"${extra}}`,
    );

  it('keeps an unweighted OTLP fact (span_id) on the fast path', () => {
    const buf = line('');
    expect(new RawFactScanner().scan(buf, 0, buf.length)).toBe(true);
  });

  it('keeps a SERVER span fact with its parent span id on the fast path, with the id byte range', () => {
    const buf = line(',"parent_span_id":"b7ad6b7169203331"');
    const scanner = new RawFactScanner();
    expect(scanner.scan(buf, 0, buf.length)).toBe(true);
    const { parentStart, parentEnd } = scanner.fact;
    expect(buf.toString('utf8', parentStart, parentEnd)).toBe('b7ad6b7169203331');
    const plain = line('');
    expect(scanner.scan(plain, 0, plain.length) && scanner.fact.parentStart).toBe(-1);
  });

  it('declines a weighted fact, which parseRawLine reads with its weight', () => {
    const buf = line(',"weight":4');
    expect(new RawFactScanner().scan(buf, 0, buf.length)).toBe(false);
    expect(parseRawLine(buf.toString())).toMatchObject({ weight: 4 });
    expect(() => parseRawLine(line(',"weight":0.5').toString())).toThrow(
      'raw line: weight must be a finite number >= 1',
    );
  });
});

describe('parseRawLine and service-map edges', () => {
  const edge = {
    kind: 'edge',
    tenant: 't',
    event_id: '4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7',
    ts: 1,
    caller: 'checkout',
    status_code: 200,
    latency_ms: 3,
    trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    span_id: '00f067aa0ba902b7',
  };

  it('reads an edge with or without its callee, and names the rule a broken edge breaks', () => {
    expect(parseRawLine(JSON.stringify(edge))).toEqual(edge);
    expect(parseRawLine(JSON.stringify({ ...edge, callee: 'db:5432' }))).toMatchObject({ callee: 'db:5432' });
    expect(() => parseRawLine(JSON.stringify({ ...edge, caller: '' }))).toThrow(
      'raw line: caller must be a non-empty string',
    );
    expect(() => parseRawLine(JSON.stringify({ ...edge, span_id: 'xyz' }))).toThrow(
      'raw line: span_id must be 16 lowercase hex digits',
    );
    expect(() => parseRawLine(JSON.stringify({ ...edge, weight: 0 }))).toThrow(
      'raw line: weight must be a finite number >= 1',
    );
    expect(() => parseRawLine(JSON.stringify({ ...edge, kind: 'link' }))).toThrow(
      "raw line: kind must be 'fact', 'event' or 'edge'",
    );
  });
});
