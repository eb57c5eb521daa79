import type { ItemError } from './item-error.js';
import { exceedsJsonDepth } from './json-depth.js';

export class MalformedBodyError extends Error {
  readonly code = 'MALFORMED_BODY';
}

export class BatchTooLargeError extends Error {
  readonly code = 'BATCH_TOO_LARGE';
}

export class NestingTooDeepError extends Error {
  readonly code = 'NESTING_TOO_DEEP';
}

/** A parsed body: items in order, plus NDJSON lines that were not JSON (rejected individually). */
export interface ParsedBatch {
  items: { index: number; value: unknown }[];
  lineErrors: ItemError[];
}

function parseNdjson(text: string): ParsedBatch {
  const batch: ParsedBatch = { items: [], lineErrors: [] };
  let index = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      batch.items.push({ index, value: JSON.parse(line) });
    } catch {
      batch.lineErrors.push({
        index,
        code: 'INVALID_JSON',
        message: `line for item ${index} is not valid JSON`,
      });
    }
    index += 1;
  }
  return batch;
}

/**
 * Accepts one JSON object, a JSON array of objects, or NDJSON (one object per
 * line). Nesting past maxDepth is refused before parsing. A malformed JSON document is a 400; a malformed NDJSON line only
 * rejects that item, since lines are independent.
 */
export function parseBatchBody(
  text: string,
  isNdjson: boolean,
  maxItems: number,
  maxDepth: number,
): ParsedBatch {
  if (exceedsJsonDepth(text, maxDepth, isNdjson)) {
    throw new NestingTooDeepError(`body nests arrays and objects deeper than the limit of ${maxDepth}`);
  }
  let batch: ParsedBatch;
  if (isNdjson) batch = parseNdjson(text);
  else {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (error) {
      throw new MalformedBodyError(`body is not valid JSON: ${(error as Error).message}`);
    }
    const values = Array.isArray(doc) ? doc : [doc];
    batch = { items: values.map((value, index) => ({ index, value })), lineErrors: [] };
  }
  const count = batch.items.length + batch.lineErrors.length;
  if (count === 0) throw new MalformedBodyError('body holds no items');
  if (count > maxItems) throw new BatchTooLargeError(`batch holds ${count} items; the limit is ${maxItems}`);
  return batch;
}
