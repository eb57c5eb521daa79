import fc from 'fast-check';
import { deepAnyValueTraceRequest } from '../testing/deep-protobuf.js';
import { serverSpan, str, toProtobuf, traceRequest } from '../testing/otlp-trace-requests.js';
import { protoSchemas } from './proto-schemas.js';
import { exceedsMessageDepth } from './protobuf-depth.js';

const type = () => protoSchemas().exportTraceRequest;

describe('exceedsMessageDepth', () => {
  it('counts embedded messages exactly: request, resource spans, scope spans, span, attribute, then 2 per AnyValue level', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 400 }), (levels, limit) => {
        const depth = 4 + 2 * levels;
        expect(exceedsMessageDepth(deepAnyValueTraceRequest(levels), type(), limit)).toBe(depth > limit);
      }),
    );
  });

  it('passes ordinary exports at the default limit and leaves bytes that are not a message to the decoder', () => {
    const ordinary = toProtobuf(
      traceRequest([serverSpan(0, 1), serverSpan(0, 2)], [str('service.name', 'a'), str('k', 'v')]),
    );
    expect(exceedsMessageDepth(ordinary, type(), 32)).toBe(false);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        // Garbage never throws out of the walk (the decoder answers it with MALFORMED_BODY).
        expect(() => exceedsMessageDepth(bytes, type(), 3)).not.toThrow();
      }),
    );
    // A length past its parent's end is malformed, not deep.
    expect(exceedsMessageDepth(Buffer.from([0x0a, 0x7f, 0x12, 0x00]), type(), 1)).toBe(false);
  });
});
