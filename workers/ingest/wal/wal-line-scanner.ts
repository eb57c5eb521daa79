/**
 * Reads the tenant and event time of a fact's WAL line without parsing it: lines written by rawFactJson start
 * `{"kind":"fact","tenant":"<t>","event_id":<json string>,"ts":<integer>,`. The packer needs only these two
 * fields to route a line to its raw partition, and a JSON.parse per line was most of its cost. Anything else
 * (service events, dead letters, an unexpected shape) answers undefined and the caller parses the line.
 */
const factHead = Buffer.from('{"kind":"fact","tenant":"');
const idHead = Buffer.from('","event_id":"');
const tsHead = Buffer.from(',"ts":');

const quote = 0x22;
const backslash = 0x5c;

function startsWithAt(bytes: Buffer, at: number, end: number, head: Buffer): boolean {
  return at + head.length <= end && bytes.compare(head, 0, head.length, at, at + head.length) === 0;
}

/** Index just past the closing quote of a JSON string whose content starts at `at`, or -1. */
function skipString(bytes: Buffer, at: number, end: number): number {
  for (let i = at; i < end; i++) {
    const c = bytes[i]!;
    if (c === backslash) i++;
    else if (c === quote) return i + 1;
  }
  return -1;
}

function readInteger(bytes: Buffer, at: number, end: number): number | undefined {
  let i = at;
  const negative = bytes[i] === 0x2d;
  if (negative) i++;
  let value = 0;
  const first = i;
  for (; i < end; i++) {
    const c = bytes[i]!;
    if (c < 0x30 || c > 0x39) break;
    value = value * 10 + (c - 0x30);
  }
  // An integer followed by the next key: a fraction or exponent goes to the full parser.
  if (i === first || i - first > 15 || bytes[i] !== 0x2c) return undefined;
  return negative ? -value : value;
}

export function scanFactLine(
  bytes: Buffer,
  start: number,
  end: number,
): { tenant: string; ts: number } | undefined {
  if (!startsWithAt(bytes, start, end, factHead)) return undefined;
  const tenantStart = start + factHead.length;
  const tenantEnd = bytes.indexOf(quote, tenantStart);
  if (tenantEnd < 0 || tenantEnd >= end || !startsWithAt(bytes, tenantEnd, end, idHead)) return undefined;
  const idEnd = skipString(bytes, tenantEnd + idHead.length, end);
  if (idEnd < 0 || !startsWithAt(bytes, idEnd, end, tsHead)) return undefined;
  const ts = readInteger(bytes, idEnd + tsHead.length, end);
  if (ts === undefined) return undefined;
  return { tenant: bytes.toString('latin1', tenantStart, tenantEnd), ts };
}
