/**
 * bench/rollup/edge-matcher-memory: the heap one partition's service-map matcher holds at its bounds
 * (docs/adr/0096, 0128): 500,000 remembered SERVER spans (100,000 of them carried heads, 50,000 more tails of the
 * hour's last minutes), 200,000 CLIENT spans waiting for the end of the partition (50,000 of them early, offered to
 * the previous hour; 50,000 carried to the next hour), then the rows and the carry built with the next hour's
 * 100,000 heads and the previous hour's 50,000 tails. The floor, measured in the same run, is the heap of the same keys as bare strings in an
 * array: what any matcher must hold. Heap figures after a full GC (node --expose-gc), so the load average does
 * not change them; it is printed anyway.
 * Usage: npm run build && node --expose-gc dist/bench/rollup/edge-matcher-memory.js
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { RawEdge } from '../../workers/domain/raw-record.js';
import { defaultEdgeMatchLimits, EdgeMatcher } from '../../workers/rollup/domain/edge-matcher.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
const hour = 3_600_000;
const t0 = Date.parse('2026-11-20T10:00:00Z');
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const services = Array.from({ length: 50 }, (_, i) => `service-${i}`);
const { maxServerParents, maxPendingEdges, maxCarriedHeads, maxCarriedTails, maxCarriedEarly } =
  defaultEdgeMatchLimits;
const mib = (bytes: number) => Number((bytes / 2 ** 20).toFixed(1));

/** Fresh strings per call, as the rollup's scanner makes them from the raw bytes; nothing else keeps them. */
const edgeAt = (i: number): RawEdge => {
  const [trace, span] = [hex(16), hex(8)];
  return {
    kind: 'edge',
    tenant: 'bench',
    event_id: `${trace}-${span}`,
    // The first ones start in the hour's first minute (early), the others in its last (waiting).
    ts: i < maxCarriedEarly ? t0 + (i % 60_000) : t0 + hour - 60_000 + (i % 60_000),
    caller: services[i % 50]!,
    status_code: 200,
    latency_ms: 5,
    trace_id: trace,
    span_id: span,
  };
};

// The floor: every key the matcher must remember (trace id + span id, 48 hex digits), as bare flat strings.
const base = heap();
const keys = Array.from({ length: maxServerParents + maxPendingEdges }, () => hex(24));
const floor = heap() - base;
keys.length = 0;

const before = heap();
const matcher = new EdgeMatcher(t0);
const serverStart = (i: number) =>
  i < maxCarriedHeads ? 1 : i < maxCarriedHeads + maxCarriedTails ? hour - 60_000 : 600_000;
for (let i = 0; i < maxServerParents; i++)
  matcher.addServerParent(hex(16), hex(8), services[i % 50]!, t0 + serverStart(i));
const afterServers = heap() - before;
const next = new Map<string, string>();
const prev = new Map<string, string>();
for (let i = 0; i < maxPendingEdges; i++) {
  const e = edgeAt(i);
  if (i < maxCarriedTails) prev.set(e.trace_id + e.span_id, services[i % 50]!);
  else if (next.size < maxCarriedHeads) next.set(e.trace_id + e.span_id, services[i % 50]!);
  matcher.addEdge(e);
}
/** The heap a neighbour's map costs, measured on a copy with fresh strings (as parsed from its carry). */
const mapBytes = (map: ReadonlyMap<string, string>) => {
  const copy = heap();
  const twin = new Map([...map].map(([k, v]) => [`${k}`.split('').join(''), v]));
  const bytes = heap() - copy;
  twin.clear();
  return bytes;
};
const [nextHeadsBytes, prevTailsBytes] = [mapBytes(next), mapBytes(prev)];
const neighbours = nextHeadsBytes + prevTailsBytes;
const atBounds = heap() - before - neighbours;
const rows = matcher.rows({ next, prev });
const carry = matcher.carry();
const withRowsAndCarry = heap() - before - neighbours;
process.stdout.write(
  `${JSON.stringify({
    bench: 'edge-matcher-memory',
    limits: defaultEdgeMatchLimits,
    heapMiB: {
      serversAndHeads: mib(afterServers),
      atBounds: mib(atBounds),
      withRowsAndCarry: mib(withRowsAndCarry),
      nextHoursHeads: mib(nextHeadsBytes),
      prevHoursTails: mib(prevTailsBytes),
      // While rows() runs the pending edges, the carry being built and both neighbours are alive at once.
      peakWhileRowsAreBuilt: mib(Math.max(atBounds, withRowsAndCarry) + neighbours),
      floorKeysAsStrings: mib(floor),
    },
    // The pending edges are the parsed records themselves: counted in atBounds.
    bytesPerServerSpan: Math.round(afterServers / maxServerParents),
    bytesPerPendingEdge: Math.round((atBounds - afterServers) / maxPendingEdges),
    rows: rows.length,
    carried: {
      heads: carry.heads.length,
      waiting: carry.waiting.length,
      tails: carry.tails.length,
      early: carry.early.length,
    },
    stats: matcher.stats,
    uptime: execFileSync('uptime', { encoding: 'utf8' }).trim(),
  })}\n`,
);
