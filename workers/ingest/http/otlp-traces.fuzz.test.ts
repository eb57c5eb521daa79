import fc from 'fast-check';
import { startIngestAppHarness, type IngestAppHarness } from '../testing/ingest-app-harness.js';
import { serverSpan, toProtobuf, traceRequest } from '../testing/otlp-trace-requests.js';

const now = Date.parse('2026-11-23T12:00:00Z');
const valid = toProtobuf(traceRequest([serverSpan(now - 1000, 3), serverSpan(now - 1000, 4, { kind: 1 })]));

/** A valid request with bytes flipped, cut short, or spliced: what a broken proxy or an attacker sends. */
const mutated = fc.oneof(
  fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a)),
  fc
    .array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 8,
    })
    .map((edits) => {
      const copy = Buffer.from(valid);
      for (const [at, byte] of edits) copy[at] = byte;
      return copy;
    }),
  fc.nat(valid.length - 1).map((n) => valid.subarray(0, n)),
  fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.concat([valid, Buffer.from(a)])),
);

describe('POST /v1/traces under fuzzed protobuf', () => {
  let h: IngestAppHarness;
  beforeAll(async () => {
    h = await startIngestAppHarness({ now });
  });
  afterAll(() => h.close());

  const post = (body: Buffer, type = 'application/x-protobuf') =>
    fetch(`${h.url}/v1/traces`, {
      method: 'POST',
      headers: { authorization: 'Bearer w-key', 'content-type': type },
      body: new Blob([new Uint8Array(body)]),
    });

  it('answers every malformed or mutated protobuf body with 200 or 400, never a crash or a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(mutated, async (body) => {
        const res = await post(body);
        await res.arrayBuffer();
        expect([200, 400]).toContain(res.status);
      }),
      { numRuns: 300 },
    );
    expect((await post(valid)).status).toBe(200);
  });

  it('answers arbitrary JSON sent as OTLP/JSON with 200 or 400', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.json(),
          fc.anything().map((v) => JSON.stringify({ resourceSpans: [v] }) ?? '{}'),
        ),
        async (text) => {
          const res = await post(Buffer.from(text), 'application/json');
          await res.arrayBuffer();
          expect([200, 400]).toContain(res.status);
        },
      ),
      { numRuns: 200 },
    );
  });
});
