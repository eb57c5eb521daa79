import fc from 'fast-check';

/**
 * fast-check arbitraries of ExportTraceServiceRequest bytes written field by field, to hold the one-pass reader
 * (scan-trace-request.ts) to protobufjs on what encoders other than the SDKs' send: fields in any order and
 * repeated (protobuf's last-wins and message merges), unknown fields, known fields with another wire type,
 * non-canonical and huge varints, negative int64s, invalid UTF-8, and bytes cut or flipped afterwards.
 */

/** A varint of `value` (two's complement for negatives, 10 bytes), padded with `pad` non-canonical bytes. */
export function varint(value: bigint, pad = 0): Buffer {
  let n = BigInt.asUintN(64, value);
  const out: number[] = [];
  do {
    const low = Number(n & 0x7fn);
    n >>= 7n;
    out.push(n > 0n ? low | 0x80 : low);
  } while (n > 0n);
  if (pad > 0) {
    out[out.length - 1]! |= 0x80;
    for (let i = 1; i < pad; i += 1) out.push(0x80);
    out.push(0);
  }
  return Buffer.from(out);
}

export const tag = (id: number, wireType: number) => varint(BigInt(id * 8 + wireType));
const delimited = (id: number, payload: Buffer) =>
  Buffer.concat([tag(id, 2), varint(BigInt(payload.length)), payload]);
const fixed64 = (id: number, value: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, value));
  return Buffer.concat([tag(id, 1), b]);
};
const double = (id: number, value: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(value);
  return Buffer.concat([tag(id, 1), b]);
};
const varintField = (id: number, value: bigint, pad = 0) => Buffer.concat([tag(id, 0), varint(value, pad)]);

/** Mostly canonical varints, sometimes padded to 5-11 bytes. */
const pad = fc.oneof(
  { weight: 40, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 10 }) },
);

const utf8 = fc.oneof(
  { weight: 40, arbitrary: fc.string({ maxLength: 12 }).map((s) => Buffer.from(s)) },
  { weight: 8, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }).map((s) => Buffer.from(s)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 6 }).map((a) => Buffer.from(a)) },
  { weight: 4, arbitrary: fc.string({ minLength: 60, maxLength: 80 }).map((s) => Buffer.from(`é${s}`)) },
);

const wantedKeys = [
  'http.request.method',
  'http.method',
  'http.response.status_code',
  'http.status_code',
  'http.route',
  'url.path',
  'http.target',
  'url.full',
  'http.url',
  'peer.service',
  'server.address',
  'server.port',
  'net.peer.name',
  'net.peer.port',
  'sampler.type',
  'sampler.param',
  'SampleRate',
  'service.name',
  'service.version',
  'deployment.environment',
];
const key = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...wantedKeys).map((k) => Buffer.from(k)) },
  { weight: 1, arbitrary: utf8 },
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
);
const textValue = fc
  .oneof(
    fc.constantFrom(
      'GET',
      'post',
      '_OTHER',
      '/orders/42',
      '/a?b=1',
      'https://x.example/u/1',
      'probabilistic',
      'svc',
    ),
    fc.constantFrom('checkout', 'payments', 'db:5432', 'ot=th:8', 'bad url'),
  )
  .map((s) => Buffer.from(s));

/** An unknown field (numbers no OTLP trace message uses) of any valid wire type. */
const unknownField = fc.oneof(
  fc
    .tuple(fc.integer({ min: 17, max: 5000 }), fc.bigInt({ min: 0n, max: 1n << 70n }))
    .map(([id, v]) => Buffer.concat([tag(id, 0), varint(v & ((1n << 64n) - 1n), Number(v % 3n))])),
  fc
    .tuple(fc.integer({ min: 17, max: 5000 }), fc.uint8Array({ maxLength: 8 }))
    .map(([id, a]) => delimited(id, Buffer.from(a))),
  fc.integer({ min: 17, max: 5000 }).map((id) => fixed64(id, 7n)),
  fc.integer({ min: 17, max: 5000 }).map((id) => Buffer.concat([tag(id, 5), Buffer.alloc(4, 1)])),
);

/** Array and kvlist values, down to depth 0 (built only while depth remains: arbitraries are eager). */
function nestedValues(depth: number): fc.WeightedArbitrary<Buffer>[] {
  if (depth <= 0) return [];
  return [
    {
      weight: 1,
      arbitrary: fc
        .array(anyValue(depth - 1), { maxLength: 2 })
        .map((vs) => delimited(5, Buffer.concat(vs.map((v) => delimited(1, v))))),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(keyValue(depth - 1), { maxLength: 2 })
        .map((kvs) => delimited(6, Buffer.concat(kvs.map((kv) => delimited(1, kv))))),
    },
  ];
}

const anyValueField = (depth: number): fc.Arbitrary<Buffer> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.oneof(textValue, utf8).map((v) => delimited(1, v)) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.bigInt({ min: 0n, max: 3n }), pad).map(([v, p]) => varintField(2, v, p)),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          fc.oneof(
            fc.constantFrom(200n, 201n, 404n, 500n, 503n, 700n, 0n, 1n, 8080n),
            fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
          ),
          pad,
        )
        .map(([v, p]) => varintField(3, v, p)),
    },
    {
      weight: 2,
      arbitrary: fc.oneof(fc.constantFrom(0.5, 0.25, 1, 10, 0), fc.double()).map((v) => double(4, v)),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 4 }).map((a) => delimited(7, Buffer.from(a))) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 5 }).map((v) => varintField(8, BigInt(v))) },
    ...nestedValues(depth),
    { weight: 1, arbitrary: unknownField },
    // A known number with another wire type: an unknown field to protobufjs.
    {
      weight: 1,
      arbitrary: fc.constantFrom(varintField(1, 3n), delimited(3, Buffer.from([1])), fixed64(2, 1n)),
    },
  );

/** AnyValue bytes: usually one member, sometimes several (the last wins) or none. */
export const anyValue = (depth: number): fc.Arbitrary<Buffer> =>
  fc
    .oneof(
      { weight: 5, arbitrary: fc.array(anyValueField(depth), { minLength: 1, maxLength: 1 }) },
      {
        weight: 1,
        arbitrary: fc.array(anyValueField(depth), { maxLength: 3 }),
      },
    )
    .map((fs) => Buffer.concat(fs));

/** KeyValue bytes: a key and a value, sometimes repeated (key last wins, values merge), sometimes odd. */
export const keyValue = (depth: number): fc.Arbitrary<Buffer> =>
  fc
    .tuple(
      key,
      anyValue(depth),
      fc.array(
        fc.oneof(
          key.map((k) => delimited(1, k)),
          anyValue(depth).map((v) => delimited(2, v)),
          unknownField,
        ),
        {
          maxLength: 1,
        },
      ),
    )
    .map(([k, v, extra]) => Buffer.concat([delimited(1, k), delimited(2, v), ...extra]));

const attributes = (id: number) =>
  fc.array(
    keyValue(2).map((kv) => delimited(id, kv)),
    { maxLength: 7 },
  );

const id = (bytes: number) =>
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((a) => Buffer.from(a)),
    },
    { weight: 1, arbitrary: fc.constant(Buffer.alloc(bytes)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: bytes + 2 }).map((a) => Buffer.from(a)) },
  );

const kv = (k: string, value: Buffer) =>
  delimited(9, Buffer.concat([delimited(1, Buffer.from(k)), delimited(2, value)]));

/** The attributes of an HTTP span, each present most of the time, sometimes under the older names. */
const httpAttributes = fc
  .tuple(
    fc.constantFrom('http.request.method', 'http.method'),
    fc.constantFrom('GET', 'post', '_OTHER', 'PUT'),
    fc.constantFrom('http.route', 'url.path', 'http.target', 'http.url', 'url.full'),
    fc.constantFrom('/orders/42', '/a?b=1', 'https://x.example/u/1', '/users/:id', 'not a url'),
    fc.constantFrom(200n, 201n, 404n, 500n, 503n, 99n),
    fc.constantFrom('peer.service', 'server.address', 'net.peer.name', 'none'),
    fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  )
  .map(
    ([methodKey, method, pathKey, path, status, calleeKey, present]) =>
      [
        present[0] ? kv(methodKey, delimited(1, Buffer.from(method))) : undefined,
        present[1] || present[0] ? kv(pathKey, delimited(1, Buffer.from(path))) : undefined,
        present[2] || present[0] ? kv('http.response.status_code', varintField(3, status)) : undefined,
        present[3] ? kv(calleeKey, delimited(1, Buffer.from('payments'))) : undefined,
      ].filter((b) => b !== undefined) as Buffer[],
  );

/** Span bytes around a plausible HTTP span: fields in any order, some repeated, some missing, noise between. */
const span = (nowMs: number) =>
  fc
    .tuple(
      fc.tuple(id(16), id(8), id(8)).map(([t, s, p]) => [delimited(1, t), delimited(2, s), delimited(4, p)]),
      fc.tuple(fc.constantFrom(2n, 2n, 3n, 5n, 1n, 0n, 4n, 7n), pad).map(([k, p]) => varintField(6, k, p)),
      fc
        .tuple(
          fc.integer({ min: nowMs - 90_000_000, max: nowMs + 4_000_000 }),
          fc.bigInt({ min: -10n, max: 10n ** 10n }),
        )
        .map(([ms, d]) => {
          const start = BigInt(ms) * 1_000_000n;
          return [fixed64(7, start), fixed64(8, start + d)];
        }),
      fc.tuple(httpAttributes, attributes(9)).map(([http, other]) => [...http, ...other]),
      fc.array(
        fc.oneof(
          fc.constantFrom('', 'ot=th:8', 'ot=th:c', 'a=b,ot=th:fff').map((s) => delimited(3, Buffer.from(s))),
          utf8.map((n) => delimited(5, n)),
          fc
            .tuple(fc.bigInt({ min: 0n, max: 3n }), utf8)
            .map(([c, m]) => delimited(15, Buffer.concat([varintField(3, c), delimited(2, m)]))),
          attributes(3).map((kvs) => delimited(11, Buffer.concat([fixed64(1, 5n), ...kvs]))),
          attributes(4).map((kvs) =>
            delimited(13, Buffer.concat([delimited(1, Buffer.alloc(16, 1)), ...kvs])),
          ),
          fc.constantFrom(
            varintField(10, 2n),
            varintField(12, 0n),
            varintField(14, 1n),
            Buffer.concat([tag(16, 5), Buffer.alloc(4)]),
          ),
          unknownField,
          fc.constantFrom(
            fixed64(6, 2n),
            varintField(7, 5n),
            varintField(1, 1n),
            delimited(8, Buffer.alloc(8, 1)),
          ),
          fc.constantFrom(varintField(6, 2n), fixed64(7, 0n), delimited(2, Buffer.alloc(0))),
        ),
        { maxLength: 4 },
      ),
    )
    .chain(([ids, kind, times, attrs, extra]) => {
      const parts = [...ids, kind, ...times, ...attrs, ...extra];
      return fc.oneof(
        fc.constant(parts),
        fc.shuffledSubarray(parts, { minLength: Math.max(0, parts.length - 1), maxLength: parts.length }),
      );
    })
    .map((parts) => Buffer.concat(parts));

const resource = fc
  .tuple(
    fc.constantFrom('checkout', 'payments', '').map((s) => Buffer.from(s)),
    attributes(1),
    fc.array(fc.constantFrom(varintField(2, 1n), delimited(3, delimited(2, Buffer.from('service')))), {
      maxLength: 1,
    }),
  )
  .map(([service, attrs, extra]) =>
    Buffer.concat([
      delimited(
        1,
        Buffer.concat([delimited(1, Buffer.from('service.name')), delimited(2, delimited(1, service))]),
      ),
      ...attrs,
      ...extra,
    ]),
  );

const scopeSpans = (nowMs: number) =>
  fc
    .tuple(
      fc.array(span(nowMs), { maxLength: 5 }),
      fc.array(
        fc.oneof(
          attributes(3).map((kvs) =>
            delimited(1, Buffer.concat([delimited(1, Buffer.from('scope')), ...kvs])),
          ),
          utf8.map((u) => delimited(3, u)),
          unknownField,
        ),
        { maxLength: 2 },
      ),
    )
    .map(([spans, extra]) => Buffer.concat([...spans.map((s) => delimited(2, s)), ...extra]));

const resourceSpans = (nowMs: number) =>
  fc
    .tuple(
      fc.array(resource, { minLength: 0, maxLength: 2 }),
      fc.array(scopeSpans(nowMs), { minLength: 1, maxLength: 2 }),
      fc.boolean(),
      fc.array(
        fc.oneof(
          utf8.map((u) => delimited(3, u)),
          unknownField,
        ),
        { maxLength: 1 },
      ),
    )
    .map(([resources, scopes, resourceLast, extra]) => {
      const r = resources.map((x) => delimited(1, x));
      const s = scopes.map((x) => delimited(2, x));
      return Buffer.concat(resourceLast ? [...s, ...r, ...extra] : [...r, ...s, ...extra]);
    });

/** Well-formed ExportTraceServiceRequest bytes (as protobuf defines them; some use encodings protobufjs refuses). */
export const wireTraceRequest = (nowMs: number) =>
  fc
    .tuple(
      fc.array(resourceSpans(nowMs), { minLength: 1, maxLength: 3 }),
      fc.array(unknownField, { maxLength: 1 }),
    )
    .map(([rs, extra]) => Buffer.concat([...rs.map((x) => delimited(1, x)), ...extra]));

/** The same, sometimes cut short or with bytes overwritten. */
export const damagedTraceRequest = (nowMs: number) =>
  wireTraceRequest(nowMs).chain((bytes) =>
    fc.oneof(
      fc.nat(Math.max(0, bytes.length - 1)).map((n) => bytes.subarray(0, n)),
      fc
        .array(fc.tuple(fc.nat(Math.max(0, bytes.length - 1)), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        })
        .map((edits) => {
          const copy = Buffer.from(bytes);
          for (const [at, b] of edits) if (at < copy.length) copy[at] = b;
          return copy;
        }),
    ),
  );
