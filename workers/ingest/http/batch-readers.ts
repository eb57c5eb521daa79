import type protobuf from 'protobufjs';
import type { RawRecord } from '../../domain/raw-record.js';
import { decodeClientUtf8 } from '../../domain/text-rule.js';
import { HttpError } from '../../shared/http/http-error.js';
import type { ItemError } from '../domain/item-error.js';
import {
  BatchTooLargeError,
  MalformedBodyError,
  NestingTooDeepError,
  parseBatchBody,
  type ParsedBatch,
} from '../domain/parse-batch-body.js';
import { parseRequestFact, type FactContext, type ItemResult } from '../domain/parse-request-fact.js';
import { validateBatch } from '../domain/validate-batch.js';
import { encodeScannedFactsSteps } from '../fast-facts/encode-scanned-facts.js';
import type { RouteCache } from '../fast-facts/route-cache.js';
import { scanFactArraySteps, scanFactLinesSteps } from '../fast-facts/scan-fact-array.js';
import { oneSlice, type SlicedWork } from '../domain/fair-cpu-turns.js';
import { decodeProtobufBatch } from '../otlp/decode-protobuf-batch.js';
import { encodeWalFrame } from '../wal/write-ahead-log.js';

/** A batch read from its body: its item count (for the rate limit) and how to validate and encode it. */
export interface PreparedBatch {
  items: number;
  /**
   * Validates every item (admitting routes) and encodes the WAL frame, dead letters included; in slices of about
   * `sliceBytes` of body where the reader can slice it (the byte-level fact path), else in one slice. Parsing and
   * validation are each charged the body's bytes, so every batch costs its turns twice its body, sliced or not
   * (docs/adr/0107). Drive it with runToEnd or FairCpuTurns.runSliced.
   */
  validate(
    tenant: string,
    now: number,
    sliceBytes: number,
  ): SlicedWork<{ frame: Buffer; accepted: number; rejected: ItemError[] }>;
}

/**
 * Reads a batch body into a PreparedBatch, in slices of about `sliceBytes` where it can (SlicedWork); throws
 * HttpError for a body that is not a batch at all. Where it reads in slices, `counted` is told the items read so
 * far between slices and may throw to refuse the batch there (the item rate, docs/adr/0119).
 */
export type BatchReader = (
  body: Buffer,
  isNdjson: boolean,
  maxItems: number,
  sliceBytes: number,
  counted?: (items: number) => void,
) => SlicedWork<PreparedBatch>;

function parseBody(body: Buffer, isNdjson: boolean, maxItems: number, maxDepth: number): ParsedBatch {
  try {
    return parseBatchBody(decodeClientUtf8(body), isNdjson, maxItems, maxDepth);
  } catch (error) {
    if (error instanceof MalformedBodyError || error instanceof NestingTooDeepError)
      throw new HttpError(400, error.code, error.message);
    if (error instanceof BatchTooLargeError) throw new HttpError(413, error.code, error.message);
    throw error;
  }
}

type ParserFor = (tenant: string, now: number) => (value: unknown, index: number) => ItemResult<RawRecord>;

function preparedBatch(batch: ParsedBatch, parserFor: ParserFor, bytes: number): PreparedBatch {
  return {
    items: batch.items.length + batch.lineErrors.length,
    validate: (tenant, now) =>
      oneSlice(bytes, () => {
        const { records, accepted, rejected } = validateBatch(batch, tenant, now, parserFor(tenant, now));
        return { frame: encodeWalFrame(records), accepted, rejected };
      }),
  };
}

/**
 * The generic path: JSON.parse, then an item parser made once per batch (tenant and clock fixed). Not sliced: the
 * whole body is one slice (JSON.parse takes it whole).
 */
export function parsedBatchReader(parserFor: ParserFor, maxDepth: number): BatchReader {
  return (body, isNdjson, maxItems) =>
    oneSlice(body.length, () =>
      preparedBatch(parseBody(body, isNdjson, maxItems, maxDepth), parserFor, body.length),
    );
}

/**
 * A gravix.v1 protobuf batch (proto/gravix/v1/facts.proto): decoded into the items its JSON twin would hold, then
 * validated by the same item parser, so both encodings give the same records and the same per-item errors.
 */
export function protobufBatchReader(
  type: () => protobuf.Type,
  field: 'facts' | 'events',
  parserFor: ParserFor,
): BatchReader {
  return (body, _isNdjson, maxItems) =>
    oneSlice(body.length, () =>
      preparedBatch(decodeProtobufBatch(body, type(), field, maxItems), parserFor, body.length),
    );
}

/**
 * Facts take the byte-level path (fast-facts/) when it can vouch for the body (a JSON array, one object, or
 * NDJSON): no object per item, and fact text copied from the body into the frame. Any other body takes the
 * generic path, with the same answers. The scan declines values nested deeper than scanNestingLimit, so the
 * generic path's depth check (maxDepth >= minJsonDepthLimit) sees every deeply nested body. The scan and the
 * validation go in slices (docs/adr/0107); a body the scan declines part way is parsed whole, as one slice charged
 * its whole size.
 */
export function factBatchReader(
  contextFor: (tenant: string, now: number) => FactContext,
  routeCache: RouteCache,
  maxDepth: number,
): BatchReader {
  const generic = parsedBatchReader((tenant, now) => {
    const ctx = contextFor(tenant, now);
    return (v, i) => parseRequestFact(v, i, ctx);
  }, maxDepth);
  return function* (body, isNdjson, maxItems, sliceBytes, counted) {
    const scanSteps = isNdjson ? scanFactLinesSteps : scanFactArraySteps;
    const scan = yield* scanSteps(body, maxItems, sliceBytes, counted);
    if (!scan) return yield* generic(body, isNdjson, maxItems, sliceBytes);
    return {
      items: scan.count,
      validate: (tenant, now, validateSlice) =>
        encodeScannedFactsSteps(scan, contextFor(tenant, now), routeCache, validateSlice),
    };
  };
}
