import { exceedsJsonDepth } from '../domain/json-depth.js';
import { HttpError } from '../../shared/http/http-error.js';
import type { OtlpEncoding } from './otlp-answers.js';
import { protoSchemas } from './proto-schemas.js';
import { exceedsMessageDepth } from './protobuf-depth.js';

/**
 * An ExportTraceServiceRequest from its body, as protobufjs's decoded message or the parsed OTLP/JSON document;
 * map-trace-request.ts reads either. 400 MALFORMED_BODY for bytes that are not one.
 */
export function decodeTraceRequest(body: Buffer, encoding: OtlpEncoding, maxJsonDepth: number): unknown {
  return decodeOtlpRequest(body, encoding, maxJsonDepth, 'trace');
}

/** An ExportMetricsServiceRequest from its body, as decodeTraceRequest reads a trace request. */
export function decodeMetricsRequest(body: Buffer, encoding: OtlpEncoding, maxJsonDepth: number): unknown {
  return decodeOtlpRequest(body, encoding, maxJsonDepth, 'metrics');
}

const requestNames = { trace: 'ExportTraceServiceRequest', metrics: 'ExportMetricsServiceRequest' } as const;

function decodeOtlpRequest(
  body: Buffer,
  encoding: OtlpEncoding,
  maxJsonDepth: number,
  signal: 'trace' | 'metrics',
): unknown {
  const name = requestNames[signal];
  if (encoding === 'protobuf') {
    const type = signal === 'trace' ? protoSchemas().exportTraceRequest : protoSchemas().exportMetricsRequest;
    // The same limit and answer as OTLP/JSON's nesting (protobufjs's own recursion limit only says 'max depth').
    if (exceedsMessageDepth(body, type, maxJsonDepth)) {
      throw new HttpError(
        400,
        'NESTING_TOO_DEEP',
        `body nests messages deeper than the limit of ${maxJsonDepth}`,
      );
    }
    try {
      return type.decode(body);
    } catch (error) {
      throw new HttpError(
        400,
        'MALFORMED_BODY',
        `body is not a protobuf ${name}: ${(error as Error).message}`,
      );
    }
  }
  const text = body.toString('utf8');
  if (exceedsJsonDepth(text, maxJsonDepth, false)) {
    throw new HttpError(
      400,
      'NESTING_TOO_DEEP',
      `body nests arrays and objects deeper than the limit of ${maxJsonDepth}`,
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, 'MALFORMED_BODY', `body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new HttpError(400, 'MALFORMED_BODY', `body must be a JSON object (an ${name})`);
  return doc;
}
