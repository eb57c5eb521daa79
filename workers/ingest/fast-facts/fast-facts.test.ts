import fc from 'fast-check';
import { decodeClientUtf8 } from '../../domain/text-rule.js';
import { parseBatchBody } from '../domain/parse-batch-body.js';
import { parseRequestFact } from '../domain/parse-request-fact.js';
import { RouteBudget } from '../domain/route-budget.js';
import { validateBatch } from '../domain/validate-batch.js';
import { encodeFrame } from '../wal/segment-frames.js';
import { walRecordJson } from '../wal/wal-record-json.js';
import type { SlicedWork } from '../domain/fair-cpu-turns.js';
import { encodeScannedFacts, encodeScannedFactsSteps } from './encode-scanned-facts.js';
import { RouteCache } from './route-cache.js';
import {
  itemStride,
  scanFactArray,
  scanFactArraySteps,
  scanFactLines,
  scanFactLinesSteps,
} from './scan-fact-array.js';

/**
 * The byte-level fact path must answer exactly as the generic path (JSON.parse, parseRequestFact, encodeFrame)
 * for every body it does not decline: the same WAL frame bytes, the same accepted count and rejections, and the
 * same routes admitted. Bodies are built from raw JSON text so odd spellings (escapes, exponents, whitespace,
 * duplicate keys, nested values, non-ASCII) reach the scanner as a client would send them.
 */
const now = Date.parse('2026-11-23T12:00:00Z');
const window = { now, maxPastMs: 7 * 86_400_000, maxFutureMs: 3_600_000 };
const tenant = 'acme';
const maxItems = 50;
const probeServices = ['checkout', 'svc-1', 'Süd', 'a\nb'];
const probeRoutes = ['/orders/:id', '/users/:id/x', '/a/b', '/x', '/p/:id', '/été/:id', '/:overflow', '/q'];

/** A field's JSON text: mostly values the fact accepts, so most items are valid and take the plain path. */
const field = (key: string, good: string[], odd: string[]) =>
  fc
    .oneof(
      { weight: 9, arbitrary: fc.constantFrom(...good) },
      { weight: 1, arbitrary: fc.constantFrom(...odd) },
    )
    .map((v) => [key, v] as const);

const fields = [
  field(
    '"event_id"',
    ['"e1"', '"ev-2"'],
    ['""', `"${'x'.repeat(129)}"`, '"café"', '"a\\"b"', '12', 'null', 'true'],
  ),
  field(
    '"timestamp"',
    [String(now - 60_000), `"${new Date(now - 60_000).toISOString()}"`, '"2026-11-23T11:59:00+02:00"'],
    [
      '"2026-13-01T00:00:00Z"',
      String(now - 30 * 86_400_000),
      `${(now - 60_000) / 1000}e3`,
      '1.5',
      '-5',
      'null',
      '"x"',
    ],
  ),
  field('"service"', ['"checkout"', '"svc-1"'], ['""', '"Süd"', '"a\\nb"', '5']),
  field('"method"', ['"GET"', '"POST"'], ['"get"', '"FETCH"', '"G\\u0045T"', 'null']),
  field(
    '"path"',
    [
      '"/orders/42"',
      '"/users/550e8400-e29b-41d4-a716-446655440000/x"',
      '"/a//b/"',
      '"/p/7"',
      '"/x?y=1"',
      '"/q"',
    ],
    ['"orders"', '"/été/1"', '"/q\\/r"', '""'],
  ),
  field('"status_code"', ['200', '503', '100', '599'], ['99', '600', '200.0', '2e2', '"200"', 'null']),
  field(
    '"latency_ms"',
    ['0', '12', '12.5', '0.1', '3600000', '1E-7'],
    ['1e3', '-1', '3600001', '"5"', '-0', '123456789012345678'],
  ),
  field('"env"', ['"prod"', 'null'], ['""', '7']),
  field('"version"', ['"v1.2.3"', 'null'], [`"${'v'.repeat(129)}"`]),
  field('"trace_id"', ['"abc123"', 'null'], ['{}']),
  field('"extra"', ['"hi"', '1'], ['{"nested":[1,2,{"a":"}"}]}', 'true', '[]']),
  field('"event\\u005fid"', ['"escaped-key"'], ['"escaped-key"']),
];

const whitespace = fc.constantFrom('', '', '', ' ', '\n', '\t', '\r\n  ');

/** One item as JSON text: usually every required field, sometimes one missing, sometimes one repeated. */
const itemText = fc
  .tuple(
    fc.tuple(...fields.slice(0, 7)),
    fc.subarray(fields.slice(7).map((_, i) => i)),
    fc.tuple(...fields.slice(7)),
    fc.integer({ min: -30, max: 6 }),
    fc.tuple(fc.integer({ min: -20, max: 6 }), fc.tuple(...fields.slice(0, 7))),
    whitespace,
    whitespace,
  )
  .map(([required, optionalIndexes, optional, drop, [repeat, again], ws1, ws2]) => {
    const pairs: (readonly [string, string])[] = required.filter((_, i) => i !== drop);
    for (const i of optionalIndexes) pairs.push(optional[i]!);
    // A repeated key, usually with another value: JSON.parse keeps the last.
    if (repeat >= 0) pairs.push(again[repeat]!);
    return `{${ws1}${pairs.map(([k, v]) => `${k}${ws2}:${ws1}${v}`).join(`,${ws2}`)}${ws2}}`;
  });

const bodyText = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(fc.array(itemText, { minLength: 1, maxLength: 8 }), whitespace)
      .map(([items, ws]) => `${ws}[${items.join(`,${ws}`)}]${ws}`),
  },
  { weight: 2, arbitrary: itemText },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '[]',
      '{}',
      '[{}]',
      '[5]',
      '[{"a":1}] x',
      '\ufeff[{}]',
      '[{"a":1},]',
      'null',
      '[[]]',
    ),
  },
);

/** NDJSON bodies: items one per line (some spread over lines by their own whitespace), blank and odd lines. */
const ndjsonText = fc
  .tuple(
    fc.array(
      fc.oneof(
        { weight: 8, arbitrary: itemText },
        {
          weight: 1,
          arbitrary: fc.constantFrom('', ' \r', '\t', '{"a":', '[1]', '5', 'null', '\u00a0', '\ufeff{}'),
        },
      ),
      { minLength: 1, maxLength: 8 },
    ),
    fc.constantFrom('\n', '\r\n', '\n\n', ' \n'),
    fc.boolean(),
  )
  .map(([lines, separator, trailing]) => lines.join(separator) + (trailing ? separator : ''));

function generic(text: string, routes: RouteBudget, isNdjson: boolean) {
  const batch = parseBatchBody(text, isNdjson, maxItems, 32);
  const ctx = { tenant, window, routes };
  const { records, accepted, rejected } = validateBatch(batch, tenant, now, (v, i) =>
    parseRequestFact(v, i, ctx),
  );
  return { frame: encodeFrame(records, walRecordJson), accepted, rejected };
}

/** Both budgets answer the same for every route the generators can make: they admitted the same routes. */
function expectSameRoutes(a: RouteBudget, b: RouteBudget): void {
  for (const service of probeServices)
    for (const route of probeRoutes)
      expect(a.admit(tenant, service, route)).toBe(b.admit(tenant, service, route));
}

/** The generic path and the byte-level path, each with its own route budget, fed the same bodies in turn. */
function pathPair() {
  const [genericRoutes, fastRoutes] = [new RouteBudget(2), new RouteBudget(2)];
  const cache = new RouteCache(fastRoutes);
  return {
    /** False when the scanner declined the body (the generic path then answers alone, so nothing to compare). */
    expectSameAnswer(body: Buffer, isNdjson = false): boolean {
      const scan = isNdjson ? scanFactLines(body, maxItems) : scanFactArray(body, maxItems);
      if (!scan) return false;
      const expected = generic(decodeClientUtf8(body), genericRoutes, isNdjson);
      const actual = encodeScannedFacts(scan, { tenant, window, routes: fastRoutes }, cache);
      expect(actual.accepted).toBe(expected.accepted);
      expect(actual.rejected).toEqual(expected.rejected);
      expect(actual.frame.toString('utf8')).toBe(expected.frame.toString('utf8'));
      expect(actual.frame.equals(expected.frame)).toBe(true);
      return true;
    },
    expectSameRoutes: () => expectSameRoutes(genericRoutes, fastRoutes),
  };
}

const expectSameAnswer = (body: Buffer) => pathPair().expectSameAnswer(body);

describe('byte-level fact path', () => {
  it('answers every body it scans exactly as JSON.parse and parseRequestFact do', () => {
    let scanned = 0;
    fc.assert(
      // A few bodies in turn through the same budgets: the route cache must keep answering as the budget would.
      fc.property(fc.array(bodyText, { minLength: 1, maxLength: 3 }), (texts) => {
        const pair = pathPair();
        for (const text of texts) if (pair.expectSameAnswer(Buffer.from(text, 'utf8'))) scanned++;
        pair.expectSameRoutes();
      }),
      { numRuns: 1500 },
    );
    // The generators mostly make arrays of objects: the scanner must take nearly all of them.
    expect(scanned).toBeGreaterThan(2000);
  });

  it('answers NDJSON bodies it scans exactly as the generic NDJSON path, line errors included', () => {
    let scanned = 0;
    fc.assert(
      fc.property(fc.array(ndjsonText, { minLength: 1, maxLength: 3 }), (texts) => {
        const pair = pathPair();
        for (const text of texts) if (pair.expectSameAnswer(Buffer.from(text, 'utf8'), true)) scanned++;
        pair.expectSameRoutes();
      }),
      { numRuns: 1500 },
    );
    // Odd lines and items spread over lines (their whitespace often holds a newline) send most bodies to the
    // generic path; the rest must still be a fair sample.
    expect(scanned).toBeGreaterThan(250);
  });

  it('answers the same in slices of any size as in one go, each slice announced before it runs', () => {
    /** Drives sliced work; returns its result, how many slices it took and the bytes they announced in all. */
    function drive<T>(work: SlicedWork<T>): [T, number, number] {
      let [slices, bytes] = [0, 0];
      for (;;) {
        const step = work.next();
        if (step.done) return [step.value, slices, bytes];
        expect(step.value).toBeGreaterThanOrEqual(0);
        [slices, bytes] = [slices + 1, bytes + step.value];
      }
    }
    let multiSlice = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          bodyText.map((t) => [t, false] as const),
          ndjsonText.map((t) => [t, true] as const),
        ),
        fc.integer({ min: 1, max: 400 }),
        ([text, isNdjson], sliceBytes) => {
          const body = Buffer.from(text, 'utf8');
          const [whole, sliced] = [new RouteBudget(2), new RouteBudget(2)];
          const scanSteps = isNdjson ? scanFactLinesSteps : scanFactArraySteps;
          const [scan, scanSlices, scanned] = drive(scanSteps(body, maxItems, sliceBytes));
          const once = isNdjson ? scanFactLines(body, maxItems) : scanFactArray(body, maxItems);
          expect(scan === undefined).toBe(once === undefined);
          if (!scan || !once) return;
          // The turns are charged exactly the bytes each pass went over: the body, then its items.
          expect(scanned).toBe(body.length);
          const itemsBytes = scan.table[(scan.count - 1) * itemStride + 1]! - scan.table[0]!;
          const [actual, validateSlices, validated] = drive(
            encodeScannedFactsSteps(
              scan,
              { tenant, window, routes: sliced },
              new RouteCache(sliced),
              sliceBytes,
            ),
          );
          expect(validated).toBe(itemsBytes);
          const expected = encodeScannedFacts(once, { tenant, window, routes: whole }, new RouteCache(whole));
          expect(actual.rejected).toEqual(expected.rejected);
          expect(actual.frame.equals(expected.frame)).toBe(true);
          expectSameRoutes(whole, sliced);
          if (scanSlices > 1 && validateSlices > 1) multiSlice++;
        },
      ),
      { numRuns: 600 },
    );
    expect(multiSlice).toBeGreaterThan(100);
  });

  it('never accepts a body JSON.parse refuses: bytes edited anywhere give the same answer or a decline', () => {
    const valid = [
      `[{"event_id":"e","timestamp":${now},"service":"s","method":"GET","path":"/a/1","status_code":200,"latency_ms":1.5e-1}`,
      `, {"event_id" : "f", "timestamp":"2026-11-23T11:00:00Z","service":"s","method":"PUT","path":"/b",`,
      `"status_code":404,"latency_ms":2,"env":null,"x":[true,false,{"y":"\\u00e9"}],"version":"v"}]`,
    ].join('');
    // Bytes that matter to JSON grammar, a few that never may appear raw, and the odd letter.
    const alphabet = [...'{}[]:,"\\ \t\n.eE+-0123456789ntfrua/']
      .map((c) => c.charCodeAt(0))
      .concat([0, 0x1f, 0x7f, 0xc3, 0xff]);
    const edit = fc.tuple(
      fc.constantFrom('replace', 'delete', 'insert'),
      fc.integer({ min: 0, max: valid.length - 1 }),
      fc.constantFrom(...alphabet),
    );
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        const bytes = [...Buffer.from(valid, 'latin1')];
        for (const [kind, at, byte] of edits) {
          const i = Math.min(at, bytes.length - 1);
          if (kind === 'replace') bytes[i] = byte;
          else if (kind === 'delete') bytes.splice(i, 1);
          else bytes.splice(i, 0, byte);
        }
        // expectSameAnswer throws if the scanner took a body the generic path refuses.
        expectSameAnswer(Buffer.from(bytes));
      }),
      { numRuns: 5000 },
    );
  });

  it('gives the same verdict on both paths to text breaking the text rule, and names a field holding it', () => {
    const raw = (...bytes: number[]) => Buffer.from([0x22, ...bytes, 0x22]);
    // JSON text of values that break workers/domain/text-rule.ts: escaped and raw control characters (C0, DEL,
    // C1), lone surrogates, and invalid UTF-8 (stray, truncated, overlong, encoded surrogate, past U+10FFFF).
    const dangerous = [
      Buffer.from('"a\\u0000b"'),
      Buffer.from('"\\u001f"'),
      Buffer.from('"x\\u007f"'),
      Buffer.from('"\\u0085"'),
      Buffer.from('"\\ud800"'),
      Buffer.from('"/\\udfffx"'),
      raw(0x2f, 0x7f),
      raw(0x2f, 0xc2, 0x85),
      raw(0x61, 0xff),
      raw(0x2f, 0xc3),
      raw(0xc0, 0xaf),
      raw(0x2f, 0xed, 0xa0, 0x80),
      raw(0xf4, 0x90, 0x80, 0x80),
    ];
    const textFields = ['event_id', 'service', 'method', 'path', 'env', 'version', 'trace_id'];
    const good: Record<string, string> = {
      event_id: '"e"',
      timestamp: String(now - 60_000),
      service: '"checkout"',
      method: '"GET"',
      path: '"/orders/42"',
      status_code: '200',
      latency_ms: '1',
    };
    const item = fc.record({
      bad: fc.dictionary(fc.constantFrom(...textFields), fc.constantFrom(...dangerous), { maxKeys: 2 }),
    });
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 6 }), fc.boolean(), (items, ndjson) => {
        const objects = items.map(({ bad }) => {
          const members = Object.entries(good)
            .filter(([key]) => !(key in bad))
            .map(([key, value]) => Buffer.from(`"${key}":${value}`));
          for (const [key, value] of Object.entries(bad))
            members.push(Buffer.concat([Buffer.from(`"${key}":`), value]));
          return Buffer.concat([
            Buffer.from('{'),
            ...members.flatMap((m, i) => (i ? [Buffer.from(','), m] : [m])),
            Buffer.from('}'),
          ]);
        });
        const body = ndjson
          ? Buffer.concat(objects.flatMap((o) => [o, Buffer.from('\n')]))
          : Buffer.concat([
              Buffer.from('['),
              ...objects.flatMap((o, i) => (i ? [Buffer.from(','), o] : [o])),
              Buffer.from(']'),
            ]);
        // Same frame, counts and rejections on both paths whenever the byte-level path takes the body.
        pathPair().expectSameAnswer(body, ndjson);
        const expected = generic(decodeClientUtf8(body), new RouteBudget(2), ndjson);
        const rejected = new Map(expected.rejected.map((r) => [r.index, r]));
        items.forEach(({ bad }, index) => {
          const fields = Object.keys(bad);
          if (fields.length === 0) return expect(rejected.has(index)).toBe(false);
          expect(rejected.get(index)).toEqual(expect.objectContaining({ code: 'INVALID_VALUE' }));
          expect(fields).toContain(rejected.get(index)?.field);
        });
      }),
      { numRuns: 800 },
    );
  });

  it('copies plain facts from the body: no item of a plain array or NDJSON batch is parsed with JSON.parse', () => {
    const items = [
      {
        event_id: 'a',
        timestamp: now,
        service: 'checkout',
        method: 'GET',
        path: '/orders/1',
        status_code: 200,
        latency_ms: 4,
      },
      {
        event_id: 'b',
        timestamp: new Date(now).toISOString(),
        service: 'checkout',
        method: 'POST',
        path: '/orders',
        status_code: 500,
        latency_ms: 0.25,
        trace_id: 't',
      },
    ];
    const lines = scanFactLines(
      Buffer.from(`${items.map((i) => JSON.stringify(i)).join('\r\n')}\n`),
      maxItems,
    )!;
    expect(lines.count).toBe(2);
    expect(lines.parsed).toEqual([]);
    const scan = scanFactArray(Buffer.from(JSON.stringify(items)), maxItems)!;
    expect(scan.count).toBe(2);
    expect(scan.parsed).toEqual([]);
    const routes = new RouteBudget(10);
    const { frame, accepted } = encodeScannedFacts(scan, { tenant, window, routes }, new RouteCache(routes));
    expect(accepted).toBe(2);
    expect(JSON.parse(frame.subarray(8).toString('utf8'))).toEqual([
      {
        kind: 'fact',
        tenant,
        event_id: 'a',
        ts: now,
        service: 'checkout',
        method: 'GET',
        path: '/orders/:id',
        status_code: 200,
        latency_ms: 4,
      },
      {
        kind: 'fact',
        tenant,
        event_id: 'b',
        ts: now,
        service: 'checkout',
        method: 'POST',
        path: '/orders',
        status_code: 500,
        latency_ms: 0.25,
        trace_id: 't',
      },
    ]);
  });

  it('declines what only the generic path answers: more items than allowed, NDJSON-like text, non-JSON', () => {
    const item = '{"event_id":"a"}';
    expect(
      scanFactArray(
        Buffer.from(
          `[${Array(maxItems + 1)
            .fill(item)
            .join(',')}]`,
        ),
        maxItems,
      ),
    ).toBeUndefined();
    expect(scanFactArray(Buffer.from(`${item}\n${item}`), maxItems)).toBeUndefined();
    expect(scanFactArray(Buffer.from('[{"a":01}]'), maxItems)).toBeUndefined();
    expect(scanFactArray(Buffer.from('[{"a":"\u0001"}]'), maxItems)).toBeUndefined();
  });
});
