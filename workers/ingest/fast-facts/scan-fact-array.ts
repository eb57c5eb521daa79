/**
 * First pass of the byte-level fact path: finds the items of a JSON fact batch and, for each, where the values
 * of the known RequestFact fields sit in the body, without building a JS object or string per item.
 *
 * Only the common shape is scanned here: a JSON array of objects, one object, or NDJSON lines of objects, whose
 * values are ASCII strings without escapes, numbers, or null. An item with anything else (escapes, non-ASCII
 * text, nested values, true/false, a key spelled with escapes) is parsed with JSON.parse on its own, so its result
 * is the generic path's. A repeated key counts once, its last value, as with JSON.parse.
 * Anything this scanner cannot vouch for at the batch level (invalid JSON, another top-level shape, too many
 * items) makes it return undefined, and the caller falls back to the generic path for the whole body: this pass
 * may only ever accept a body the generic path accepts, with the same meaning.
 */
import { decodeClientUtf8 } from '../../domain/text-rule.js';
import { runToEnd, type SlicedWork } from '../domain/fair-cpu-turns.js';

/**
 * Nesting (below the item's own object) past which the scan declines the body. Well below minJsonDepthLimit
 * (the smallest GRAVIX_MAX_JSON_DEPTH): an item in an array sits at depth 2, so nothing the scan accepts can
 * be deeper than the generic path allows.
 */
export const scanNestingLimit = 8;
export const minJsonDepthLimit = 16;

/** The RequestFact fields the scan records, by slot. */
export const factFields = [
  'event_id',
  'timestamp',
  'service',
  'method',
  'path',
  'status_code',
  'latency_ms',
  'env',
  'version',
  'trace_id',
] as const;
export type FactField = (typeof factFields)[number];

/** What the scan saw as a field's value. */
export const valueKind = {
  absent: 0,
  /** A string of printable ASCII without escapes: its JSON text is its value in quotes. */
  plainString: 1,
  /** Digits only, no sign, fraction or exponent, at most 15 digits: exact, and its text is String(value). */
  plainInteger: 2,
  /** Any other JSON number. */
  number: 3,
  null: 4,
  /** true, false, or a value of the item that JSON.parse reads (the item is then parsed whole). */
  other: 5,
} as const;

/** Per item: object start, object end (exclusive), parsed-value index (-1: scanned); then per field: kind, start, end. */
export const itemHeader = 3;
export const fieldStride = 3;
export const itemStride = itemHeader + factFields.length * fieldStride;

export interface FactArrayScan {
  body: Buffer;
  count: number;
  /** itemStride ints per item; a string value's start/end exclude its quotes. */
  table: Int32Array;
  /** Items that JSON.parse read because the scan could not vouch for them, by the index table holds. */
  parsed: unknown[];
}

const keyBytes = factFields.map((f) => Buffer.from(f, 'latin1'));

/** The index of the candidate equal to b[start, end), or -1: matches a key or an enum value without a string. */
export function indexOfBytes(
  candidates: readonly Uint8Array[],
  b: Uint8Array,
  start: number,
  end: number,
): number {
  const length = end - start;
  for (let c = 0; c < candidates.length; c++) {
    const candidate = candidates[c]!;
    if (candidate.length !== length) continue;
    let k = 0;
    while (k < length && b[start + k] === candidate[k]) k++;
    if (k === length) return c;
  }
  return -1;
}

const isWhitespace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/** The body is not in the shape this pass vouches for; the caller parses it with JSON.parse instead. */
class Decline extends Error {}
const decline = (): never => {
  throw new Decline();
};

/**
 * A table handed back by releaseScan, for the next scan to fill: a 1000-fact batch's table is ~130 KiB, which
 * would otherwise be allocated (and zeroed, and collected) per request. Rows are cleared as they are used.
 */
let spareTable: Int32Array | undefined;
const maxSpareTableInts = 4096 * itemStride;

/** Hands the scan's table back for reuse; the scan must not be read afterwards. */
export function releaseScan(scan: FactArrayScan): void {
  if (scan.table.length <= maxSpareTableInts) spareTable = scan.table;
}

/** Reads through a body, recording each item into the table as it goes. */
class Scanner {
  i = 0;
  table: Int32Array;
  count = 0;
  readonly parsed: unknown[] = [];

  constructor(
    readonly b: Buffer,
    readonly maxItems: number,
    /** Told the items counted so far at each slice's end; it may throw to stop the scan (docs/adr/0119). */
    readonly counted?: (items: number) => void,
  ) {
    // Sized from the body (a fact is rarely under 100 bytes), so a one-fact request does not zero a large table.
    const size = itemStride * Math.max(1, Math.min(maxItems, Math.ceil(b.length / 100)));
    this.table = spareTable && spareTable.length >= size ? spareTable : new Int32Array(size);
    spareTable = undefined;
  }

  skipWhitespace(): void {
    const { b } = this;
    while (this.i < b.length && isWhitespace(b[this.i]!)) this.i++;
  }

  /** The byte at the cursor (after whitespace), or -1 at the end. */
  peek(): number {
    this.skipWhitespace();
    return this.i < this.b.length ? this.b[this.i]! : -1;
  }

  expect(c: number): void {
    if (this.peek() !== c) decline();
    this.i++;
  }

  /** Scans the string at the cursor (on its quote); true if it is plain (printable ASCII, no escapes). */
  string(): boolean {
    const { b } = this;
    let plain = true;
    let j = this.i + 1;
    for (;;) {
      if (j >= b.length) decline();
      const c = b[j]!;
      if (c === 0x22) break;
      if (c === 0x5c) {
        plain = false;
        j += 2;
        continue;
      }
      if (c < 0x20 || c > 0x7e) plain = false;
      j++;
    }
    this.i = j + 1;
    return plain;
  }

  /** Skips a run of digits from j and returns where it ends; declines if there is none. */
  digits(j: number): number {
    const { b } = this;
    if (!(j < b.length && isDigit(b[j]!))) decline();
    while (j < b.length && isDigit(b[j]!)) j++;
    return j;
  }

  /** Scans a number in strict JSON grammar; returns plainInteger or number. */
  number(): number {
    const { b } = this;
    const start = this.i;
    let j = b[start] === 0x2d ? start + 1 : start;
    // A leading zero stands alone: "01" is not JSON.
    j = b[j] === 0x30 ? j + 1 : this.digits(j);
    const integerEnd = j;
    if (b[j] === 0x2e) j = this.digits(j + 1);
    if (b[j] === 0x65 || b[j] === 0x45)
      j = this.digits(b[j + 1] === 0x2b || b[j + 1] === 0x2d ? j + 2 : j + 1);
    this.i = j;
    const plain = b[start] !== 0x2d && j === integerEnd && j - start <= 15;
    return plain ? valueKind.plainInteger : valueKind.number;
  }

  literal(text: string, kind: number): number {
    for (let k = 0; k < text.length; k++) if (this.b[this.i + k] !== text.charCodeAt(k)) decline();
    this.i += text.length;
    return kind;
  }

  /**
   * Skips a nested object or array; JSON.parse of the item validates it later. Past scanNestingLimit the body
   * is declined, so the generic path's configured depth limit answers it (400, never a stack overflow).
   */
  nested(): void {
    const { b } = this;
    let depth = 0;
    while (this.i < b.length) {
      const c = b[this.i]!;
      if (c === 0x22) {
        this.string();
        continue;
      }
      if (c === 0x7b || c === 0x5b) {
        depth++;
        if (depth > scanNestingLimit) decline();
      } else if (c === 0x7d || c === 0x5d) depth--;
      this.i++;
      if (depth === 0) return;
    }
    decline();
  }

  /** Scans the value at the cursor; returns its kind. */
  value(): number {
    const c = this.peek();
    if (c === 0x22) return this.string() ? valueKind.plainString : valueKind.other;
    if (c === 0x2d || isDigit(c)) return this.number();
    if (c === 0x6e) return this.literal('null', valueKind.null);
    if (c === 0x74) return this.literal('true', valueKind.other);
    if (c === 0x66) return this.literal('false', valueKind.other);
    if (c === 0x7b || c === 0x5b) {
      this.nested();
      return valueKind.other;
    }
    return decline();
  }

  private nextRow(): number {
    if (this.count >= this.maxItems) decline();
    if ((this.count + 1) * itemStride > this.table.length) {
      const grown = new Int32Array(this.table.length * 2);
      grown.set(this.table);
      this.table = grown;
    }
    const row = this.count * itemStride;
    this.table.fill(0, row, row + itemStride);
    return row;
  }

  /** Scans one `"key": value` of the item at row; false if the item needs JSON.parse. */
  member(row: number): boolean {
    if (this.peek() !== 0x22) decline();
    const keyStart = this.i + 1;
    const plainKey = this.string();
    const keyEnd = this.i - 1;
    this.expect(0x3a);
    this.skipWhitespace();
    const valueStart = this.i;
    const kind = this.value();
    // A key spelled with escapes may still name a field: only JSON.parse can tell.
    const slot = plainKey ? indexOfBytes(keyBytes, this.b, keyStart, keyEnd) : -1;
    if (slot >= 0) {
      // A repeated key overwrites the slot: the last one counts, as with JSON.parse.
      const at = row + itemHeader + slot * fieldStride;
      const quoted = kind === valueKind.plainString ? 1 : 0;
      this.table[at] = kind;
      this.table[at + 1] = valueStart + quoted;
      this.table[at + 2] = this.i - quoted;
    }
    return plainKey && kind !== valueKind.other;
  }

  /** Scans one object (cursor on '{') into the next table row. */
  item(): void {
    const row = this.nextRow();
    const start = this.i;
    let verified = true;
    this.i++;
    if (this.peek() === 0x7d) this.i++;
    else {
      for (;;) {
        if (!this.member(row)) verified = false;
        const next = this.peek();
        this.i++;
        if (next === 0x7d) break;
        if (next !== 0x2c) decline();
      }
    }
    this.table[row] = start;
    this.table[row + 1] = this.i;
    this.table[row + 2] = verified ? -1 : this.parse(start, this.i);
    this.count++;
  }

  /**
   * JSON.parse of an item the scan cannot vouch for; returns where it is kept. Invalid JSON declines the body.
   * Decoded as the generic path decodes a body, so invalid UTF-8 in a field is refused naming that field.
   */
  parse(start: number, end: number): number {
    try {
      this.parsed.push(JSON.parse(decodeClientUtf8(this.b.subarray(start, end))));
    } catch {
      decline();
    }
    return this.parsed.length - 1;
  }

  /** Where the current slice started, and the bytes announced for it. */
  private sliceStart = 0;
  private announced = 0;

  /**
   * The next slice's announcement: at most `sliceBytes` of what is left, plus what the slice just run went past its
   * own (a slice ends at an item's end), so the turns are charged the bytes scanned, exactly.
   */
  nextSlice(sliceBytes: number): number {
    this.counted?.(this.count);
    const owed = this.i - this.sliceStart - this.announced;
    this.sliceStart = this.i;
    this.announced = Math.min(sliceBytes, this.b.length - this.i);
    return this.announced + owed;
  }

  /**
   * A JSON array of objects or one object, and nothing after it; yields at the first item end past each
   * `sliceBytes` of body (SlicedWork: the next slice's bytes, announced before it; the first is announced by
   * scanWith).
   */
  *body(sliceBytes: number): SlicedWork<void> {
    let sliceEnd = this.i + sliceBytes;
    const first = this.peek();
    if (first === 0x7b) this.item();
    else if (first === 0x5b) {
      this.i++;
      if (this.peek() === 0x5d) decline();
      for (;;) {
        if (this.peek() !== 0x7b) decline();
        this.item();
        const next = this.peek();
        this.i++;
        if (next === 0x5d) break;
        if (next !== 0x2c) decline();
        if (this.i >= sliceEnd) {
          yield this.nextSlice(sliceBytes);
          sliceEnd = this.i + sliceBytes;
        }
      }
    } else decline();
    if (this.peek() !== -1) decline();
  }

  /** Skips spaces, tabs and carriage returns: whitespace that does not end an NDJSON line. */
  skipLineSpace(): void {
    const { b } = this;
    while (this.i < b.length && (b[this.i] === 0x20 || b[this.i] === 0x09 || b[this.i] === 0x0d)) this.i++;
  }

  /**
   * NDJSON: one object per line, blank lines skipped. A line holding anything else (which the generic path
   * rejects on its own, as INVALID_JSON or NOT_AN_OBJECT) declines the body, as does an object spread over lines.
   */
  *lines(sliceBytes: number): SlicedWork<void> {
    const { b } = this;
    let sliceEnd = this.i + sliceBytes;
    for (;;) {
      if (this.i >= sliceEnd) {
        yield this.nextSlice(sliceBytes);
        sliceEnd = this.i + sliceBytes;
      }
      this.skipLineSpace();
      if (this.i >= b.length) break;
      if (b[this.i] === 0x0a) {
        this.i++;
        continue;
      }
      if (b[this.i] !== 0x7b) decline();
      const start = this.i;
      this.item();
      const newline = b.indexOf(0x0a, start);
      if (newline !== -1 && newline < this.i) decline();
      this.skipLineSpace();
      if (this.i < b.length && b[this.i++] !== 0x0a) decline();
    }
    if (this.count === 0) decline();
  }
}

function* scanWith(
  body: Buffer,
  maxItems: number,
  sliceBytes: number,
  read: (scanner: Scanner) => SlicedWork<void>,
  counted?: (items: number) => void,
): SlicedWork<FactArrayScan | undefined> {
  const scanner = new Scanner(body, maxItems, counted);
  try {
    yield scanner.nextSlice(sliceBytes);
    yield* read(scanner);
    // The last slice's overshoot is paid before the scan is handed on (a slice that does nothing).
    const owed = scanner.nextSlice(0);
    if (owed > 0) yield owed;
  } catch (error) {
    if (error instanceof Decline) return undefined;
    // Stopped by `counted` (the batch refused): its table goes to the next scan, not to the collector.
    releaseScan({ body, count: 0, table: scanner.table, parsed: [] });
    throw error;
  }
  return { body, count: scanner.count, table: scanner.table, parsed: scanner.parsed };
}

/**
 * Scans a JSON fact batch body in slices of about `sliceBytes` (each ends at an item's end; SlicedWork). Undefined
 * when the body is not a JSON array of objects (or one object) this pass can vouch for, or holds more than
 * maxItems items: the caller then takes the JSON.parse path, which answers exactly as before (including its 400 and
 * 413 errors). `counted` is told the items counted at each slice's end and may throw to stop the scan (the
 * tenant's item rate, docs/adr/0119).
 */
export function scanFactArraySteps(
  body: Buffer,
  maxItems: number,
  sliceBytes: number,
  counted?: (items: number) => void,
): SlicedWork<FactArrayScan | undefined> {
  return scanWith(body, maxItems, sliceBytes, (scanner) => scanner.body(sliceBytes), counted);
}

/** Scans an NDJSON fact batch body in slices; undefined (the generic path answers) on any line it cannot vouch for. */
export function scanFactLinesSteps(
  body: Buffer,
  maxItems: number,
  sliceBytes: number,
  counted?: (items: number) => void,
): SlicedWork<FactArrayScan | undefined> {
  return scanWith(body, maxItems, sliceBytes, (scanner) => scanner.lines(sliceBytes), counted);
}

/** scanFactArraySteps in one go. */
export function scanFactArray(body: Buffer, maxItems: number): FactArrayScan | undefined {
  return runToEnd(scanFactArraySteps(body, maxItems, Infinity));
}

/** scanFactLinesSteps in one go. */
export function scanFactLines(body: Buffer, maxItems: number): FactArrayScan | undefined {
  return runToEnd(scanFactLinesSteps(body, maxItems, Infinity));
}
