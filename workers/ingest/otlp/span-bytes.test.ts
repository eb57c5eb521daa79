import fc from 'fast-check';
import { clientSpanKeys } from './map-client-span.js';
import { serverSpanKeys } from './map-trace-request.js';
import { samplingKeys } from './sampling-weight.js';
import { KeptKeyError, KeyMatcher, spanKeys } from './span-bytes.js';

const kept = [...serverSpanKeys, ...clientSpanKeys, ...samplingKeys];
const keptSet = new Set(kept);

/** A key near the kept ones: one of them, cut, extended, one character changed, upper-cased, or any text. */
const nearKey = fc.oneof(
  fc.constantFrom(...kept),
  fc.tuple(fc.constantFrom(...kept), fc.nat()).map(([k, n]) => k.slice(0, n % k.length)),
  fc.tuple(fc.constantFrom(...kept), fc.string({ maxLength: 2 })).map(([k, s]) => k + s),
  fc
    .tuple(fc.constantFrom(...kept), fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }))
    .map(([k, n, c]) => k.slice(0, n % k.length) + c + k.slice((n % k.length) + 1)),
  fc.constantFrom(...kept).map((k) => k.toUpperCase()),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

describe('KeyMatcher', () => {
  it('matches a key on the wire exactly when its decoded text is a kept key (docs/adr/0135)', () => {
    let matched = 0;
    fc.assert(
      fc.property(nearKey, fc.nat({ max: 3 }), (key, pad) => {
        // The key sits inside a larger buffer, as in a request body.
        const bytes = Buffer.concat([
          Buffer.alloc(pad, 0x61),
          Buffer.from(key, 'utf8'),
          Buffer.alloc(2, 0x2e),
        ]);
        const found = spanKeys.match(bytes, pad, bytes.length - 2);
        const text = bytes.toString('utf8', pad, bytes.length - 2);
        expect(found).toBe(keptSet.has(text) ? text : undefined);
        if (found !== undefined) matched += 1;
      }),
      { numRuns: 2000 },
    );
    // Both outcomes must be reached, or the property says little.
    expect(matched).toBeGreaterThan(200);
  });

  it('refuses a key that is not printable ASCII, whose bytes would not be its text', () => {
    expect(() => new KeyMatcher(['service.name', 'café'])).toThrow(new KeptKeyError('café'));
    expect(() => new KeyMatcher(['café'])).toThrow('kept attribute key "café" must be printable ASCII');
  });
});
