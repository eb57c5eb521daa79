import { readTimestamp } from '../domain/field-readers.js';
import { runToEnd, type SlicedWork } from '../domain/fair-cpu-turns.js';
import type { ItemError } from '../domain/item-error.js';
import { httpMethods } from '../../domain/request-vocabulary.js';
import { maxLatencyMs, parseRequestFact, type FactContext } from '../domain/parse-request-fact.js';
import { deadLetter } from '../domain/validate-batch.js';
import { ByteSink } from '../wal/byte-sink.js';
import { frameHeaderBytes, sealFrame } from '../wal/segment-frames.js';
import { quote, rawFactJson, walRecordJson } from '../wal/wal-record-json.js';
import type { RouteCache } from './route-cache.js';
import {
  factFields,
  fieldStride,
  indexOfBytes,
  itemHeader,
  itemStride,
  releaseScan,
  valueKind,
  type FactArrayScan,
  type FactField,
} from './scan-fact-array.js';

/** What the WAL gets and the client is told: the same as validateBatch + encodeFrame give for the batch. */
export interface EncodedFactBatch {
  /** A whole WAL frame (header, then dead letters and accepted facts as one JSON array). */
  frame: Buffer;
  accepted: number;
  /** Every rejection, ordered by item index. */
  rejected: ItemError[];
}

/** Offset of a field's [kind, start, end] within an item's row of the scan table. */
const at = Object.fromEntries(factFields.map((f, i) => [f, itemHeader + i * fieldStride])) as Record<
  FactField,
  number
>;
const methodBytes = httpMethods.map((m) => Buffer.from(m, 'latin1'));
const ascii = (text: string) => Buffer.from(text, 'latin1');
const keys = {
  ts: ascii(',"ts":'),
  service: ascii(',"service":'),
  method: ascii(',"method":'),
  path: ascii(',"path":'),
  status: ascii(',"status_code":'),
  latency: ascii(',"latency_ms":'),
  separator: ascii(',\n'),
};
const optionalFields = [
  { at: at.env, maxLength: 64, key: ascii(',"env":') },
  { at: at.version, maxLength: 128, key: ascii(',"version":') },
  { at: at.trace_id, maxLength: 128, key: ascii(',"trace_id":') },
];

/** Digits of a plainInteger value; exact, as the scan allows at most 15 of them. */
function integerAt(b: Buffer, start: number, end: number): number {
  let value = 0;
  for (let k = start; k < end; k++) value = value * 10 + (b[k]! - 0x30);
  return value;
}

/**
 * Validates and writes scanned items whose every field is in plain form and valid. The checks are readFact's
 * for plain values; whatever they do not settle (another spelling, a wrong value) is left to parseRequestFact.
 * Numbers that are not plain integers are converted, as their text may differ from String(value).
 */
class PlainFactWriter {
  private readonly table: Int32Array;
  private readonly body: Buffer;
  private readonly prefix: Buffer;
  private tsText: string | undefined;
  private latencyText: string | undefined;

  constructor(
    scan: FactArrayScan,
    private readonly ctx: FactContext,
    private readonly routes: RouteCache,
    private readonly out: ByteSink,
  ) {
    this.table = scan.table;
    this.body = scan.body;
    this.prefix = ascii(`{"kind":"fact","tenant":${quote(ctx.tenant)},"event_id":`);
  }

  /** Writes the item at row if it is a plain, valid fact; false (nothing written, no route admitted) if not. */
  write(row: number): boolean {
    if (!this.isValid(row)) return false;
    this.writeFact(row);
    return true;
  }

  private plainString(field: number, maxLength: number): boolean {
    if (this.table[field] !== valueKind.plainString) return false;
    const length = this.table[field + 2]! - this.table[field + 1]!;
    return length >= 1 && length <= maxLength;
  }

  private integer(field: number): number {
    return integerAt(this.body, this.table[field + 1]!, this.table[field + 2]!);
  }

  private isValid(row: number): boolean {
    const { table, body } = this;
    return (
      this.plainString(row + at.event_id, 128) &&
      this.validTimestamp(row + at.timestamp) &&
      this.plainString(row + at.service, 128) &&
      this.plainString(row + at.method, 32) &&
      indexOfBytes(methodBytes, body, table[row + at.method + 1]!, table[row + at.method + 2]!) >= 0 &&
      this.plainString(row + at.path, 2048) &&
      body[table[row + at.path + 1]!] === 0x2f &&
      table[row + at.status_code] === valueKind.plainInteger &&
      this.integer(row + at.status_code) >= 100 &&
      this.integer(row + at.status_code) <= 599 &&
      this.validLatency(row + at.latency_ms) &&
      this.validOptionals(row)
    );
  }

  private validTimestamp(field: number): boolean {
    const kind = this.table[field];
    this.tsText = undefined;
    if (kind === valueKind.plainInteger) {
      const ts = this.integer(field);
      const { now, maxPastMs, maxFutureMs } = this.ctx.window;
      return ts >= now - maxPastMs && ts <= now + maxFutureMs;
    }
    if (kind !== valueKind.plainString) return false;
    const text = this.body.toString('latin1', this.table[field + 1]!, this.table[field + 2]!);
    try {
      this.tsText = String(readTimestamp({ timestamp: text }, 'timestamp', this.ctx.window));
      return true;
    } catch {
      return false;
    }
  }

  private validLatency(field: number): boolean {
    const kind = this.table[field];
    this.latencyText = undefined;
    if (kind === valueKind.plainInteger) return this.integer(field) <= maxLatencyMs;
    if (kind !== valueKind.number) return false;
    const latency = Number(this.body.toString('latin1', this.table[field + 1]!, this.table[field + 2]!));
    this.latencyText = String(latency);
    return Number.isFinite(latency) && latency >= 0 && latency <= maxLatencyMs;
  }

  private validOptionals(row: number): boolean {
    for (const optional of optionalFields) {
      const kind = this.table[row + optional.at];
      if (kind === valueKind.absent || kind === valueKind.null) continue;
      if (!this.plainString(row + optional.at, optional.maxLength)) return false;
    }
    return true;
  }

  /** Copies a plain string field with its quotes: a plain string's JSON text is itself. */
  private quoted(field: number): void {
    this.out.copy(this.body, this.table[field + 1]! - 1, this.table[field + 2]! + 1);
  }

  private unquoted(field: number): void {
    this.out.copy(this.body, this.table[field + 1]!, this.table[field + 2]!);
  }

  private writeFact(row: number): void {
    const { table, out, body } = this;
    const service = row + at.service;
    const path = row + at.path;
    const { serviceJson, routeJson } = this.routes.admit(
      this.ctx.tenant,
      body,
      table[service + 1]!,
      table[service + 2]!,
      table[path + 1]!,
      table[path + 2]!,
    );
    // Every piece but converted numbers (text() reserves for those) fits in this.
    out.reserve(
      table[row + 1]! - table[row]! + this.prefix.length + serviceJson.length + routeJson.length + 128,
    );
    out.append(this.prefix);
    this.quoted(row + at.event_id);
    out.append(keys.ts);
    if (this.tsText === undefined) this.unquoted(row + at.timestamp);
    else out.text(this.tsText);
    out.append(keys.service);
    out.append(serviceJson);
    out.append(keys.method);
    this.quoted(row + at.method);
    out.append(keys.path);
    out.append(routeJson);
    out.append(keys.status);
    this.unquoted(row + at.status_code);
    out.append(keys.latency);
    if (this.latencyText === undefined) this.unquoted(row + at.latency_ms);
    else out.text(this.latencyText);
    for (const optional of optionalFields) {
      if (table[row + optional.at] !== valueKind.plainString) continue;
      out.append(optional.key);
      this.quoted(row + optional.at);
    }
    out.byte(0x7d);
  }
}

/** Dead letters go first in the frame, as validateBatch orders them: a new buffer, rarely needed. */
function withDeadLetters(out: ByteSink, accepted: number, deadLetters: string[]): Buffer {
  const head = `[${deadLetters.join(',\n')}${accepted > 0 ? ',\n' : ''}`;
  const facts = out.bytes.subarray(frameHeaderBytes + 1, out.length);
  const frame = Buffer.allocUnsafe(frameHeaderBytes + Buffer.byteLength(head) + facts.length + 1);
  let end = frameHeaderBytes + frame.write(head, frameHeaderBytes, 'utf8');
  end += facts.copy(frame, end);
  frame[end++] = 0x5d;
  return sealFrame(frame, end);
}

/** The item at row as JSON.parse reads it: kept from the scan, or parsed now (a plain item is ASCII). */
function parsedItem(scan: FactArrayScan, row: number): unknown {
  const parsedAt = scan.table[row + 2]!;
  if (parsedAt >= 0) return scan.parsed[parsedAt];
  return JSON.parse(scan.body.toString('latin1', scan.table[row]!, scan.table[row + 1]!));
}

/**
 * Second pass of the byte-level fact path: validates each scanned item, admits its route and writes the WAL
 * frame. Items in plain form are written from the body's bytes; every other item goes through
 * parseRequestFact, so errors, dead letters and odd-but-valid values come out exactly as on the generic path.
 * `routes` must front ctx.routes. The scan's table goes back for reuse: the scan must not be used again.
 * Done in slices of about `sliceBytes` of the items' body text (SlicedWork; each ends at an item's end), so a large
 * batch's validation is spread over its tenant's turns (docs/adr/0107); what a slice admitted stays admitted, as it
 * would if the batch were validated in one go.
 */
export function* encodeScannedFactsSteps(
  scan: FactArrayScan,
  ctx: FactContext,
  routes: RouteCache,
  sliceBytes: number,
): SlicedWork<EncodedFactBatch> {
  const { table, count } = scan;
  /** The items of the slice starting at item `from`: at least one, and as many more as fit in sliceBytes. */
  const sliceEndAt = (from: number) => {
    const limit = table[from * itemStride]! + sliceBytes;
    let to = from + 1;
    while (to < count && table[to * itemStride + 1]! <= limit) to++;
    return to;
  };
  /** The body bytes from item `from` to item `to` (or the last item's end): what their slice is charged. */
  const itemsEnd = table[(count - 1) * itemStride + 1]!;
  const bytesOf = (from: number, to: number) =>
    (to < count ? table[to * itemStride]! : itemsEnd) - table[from * itemStride]!;
  let sliceEnd = sliceEndAt(0);
  yield bytesOf(0, sliceEnd);
  // The frame header is filled in by sealFrame; the array opens right after it.
  const out = new ByteSink(frameHeaderBytes + 2 + scan.body.length + scan.count * 64, frameHeaderBytes);
  out.byte(0x5b);
  const plain = new PlainFactWriter(scan, ctx, routes, out);
  const rejected: ItemError[] = [];
  const deadLetters: string[] = [];
  let accepted = 0;
  for (let index = 0; index < count; index++) {
    const row = index * itemStride;
    if (index === sliceEnd) {
      sliceEnd = sliceEndAt(index);
      yield bytesOf(index, sliceEnd);
    }
    if (accepted > 0) {
      out.reserve(keys.separator.length);
      out.append(keys.separator);
    }
    if (table[row + 2]! < 0 && plain.write(row)) {
      accepted++;
      continue;
    }
    const value = parsedItem(scan, row);
    const result = parseRequestFact(value, index, ctx);
    if (result.ok) {
      out.text(rawFactJson(result.value));
      accepted++;
    } else {
      if (accepted > 0) out.length -= keys.separator.length;
      rejected.push(result.error);
      deadLetters.push(walRecordJson(deadLetter(ctx.tenant, ctx.window.now, result.error, value)));
    }
  }
  releaseScan(scan);
  if (deadLetters.length > 0)
    return { frame: withDeadLetters(out, accepted, deadLetters), accepted, rejected };
  out.reserve(1);
  out.byte(0x5d);
  return { frame: sealFrame(out.bytes, out.length), accepted, rejected };
}

/** encodeScannedFactsSteps in one go. */
export function encodeScannedFacts(
  scan: FactArrayScan,
  ctx: FactContext,
  routes: RouteCache,
): EncodedFactBatch {
  return runToEnd(encodeScannedFactsSteps(scan, ctx, routes, Infinity));
}
