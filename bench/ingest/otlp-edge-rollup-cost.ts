import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../workers/adapters/object-store/local-object-store.js';
import { buildRawPartition } from '../../workers/domain/raw-partition.js';
import type { RawEdge, RawFact, RawRecord } from '../../workers/domain/raw-record.js';
import { computePartition } from '../../workers/rollup/app/compute-partition.js';
import { parseRawLine } from '../../workers/rollup/domain/parse-raw-line.js';
import { chunk, putRawSegment } from '../../workers/rollup/testing/raw-segments.js';

const hour = 3_600_000;
const t0 = Date.parse('2026-11-20T10:00:00Z');
const hex = (n: number, digits: number) => n.toString(16).padStart(digits, '0');

/**
 * One hour of `spans` spans as the ingest server stores them for a service calling another: half CLIENT spans (edge
 * records, half naming their callee, half matched by the rollup), half the callee's SERVER spans (facts with their
 * parent span id). `withEdges: false` leaves the edge records out: the same facts, the floor the edges add to.
 */
function buildRecords(spans: number, withEdges: boolean): RawRecord[] {
  const records: RawRecord[] = [];
  for (let i = 0; i < spans / 2; i++) {
    const trace = hex(i >> 4, 32);
    const ts = t0 + Math.floor((i * hour) / (spans / 2));
    const fact: RawFact = {
      kind: 'fact',
      tenant: 'bench',
      event_id: `${trace}-s${i}`,
      ts: ts + 1,
      service: `svc-${i % 20}`,
      method: 'POST',
      path: '/pay/:id',
      status_code: i % 50 === 0 ? 503 : 200,
      latency_ms: 1 + (i % 997) / 10,
      trace_id: trace,
      span_id: hex(2 * i + 1, 16),
      parent_span_id: hex(2 * i, 16),
    };
    records.push(fact);
    if (!withEdges) continue;
    const edge: RawEdge = {
      kind: 'edge',
      tenant: 'bench',
      event_id: `${trace}-${hex(2 * i, 16)}`,
      ts,
      caller: `caller-${i % 10}`,
      ...(i % 2 === 0 ? { callee: `svc-${i % 20}` } : {}),
      status_code: fact.status_code,
      latency_ms: fact.latency_ms + 0.5,
      trace_id: trace,
      span_id: hex(2 * i, 16),
    };
    records.push(edge);
  }
  return records;
}

async function rollupCpuMs(records: readonly RawRecord[]): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'gx-edge-cost-'));
  try {
    const store = new LocalObjectStore(dir);
    const keys: string[] = [];
    for (const [seq, part] of chunk(records, 50_000).entries())
      keys.push(await putRawSegment(store, part, { seq }));
    const before = process.cpuUsage();
    await computePartition(store, buildRawPartition('bench', t0), keys);
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The edge lines through the rollup's generic reader alone (JSON.parse and the hand-written checks,
 * parse-raw-line.ts): the most a byte-level scanner like the facts' (docs/adr/0104) could take off their cost.
 */
function edgeParseCpuMs(records: readonly RawRecord[]): number {
  const lines = records.filter((r) => r.kind === 'edge').map((r) => JSON.stringify(r));
  const before = process.cpuUsage();
  let edges = 0;
  for (const line of lines) if (parseRawLine(line).kind === 'edge') edges += 1;
  const used = process.cpuUsage(before);
  if (edges !== lines.length) throw new Error(`parsed ${edges} edges of ${lines.length}`);
  return (used.user + used.system) / 1000;
}

/**
 * The rollup's CPU for one partition with and without its edge lines (same facts), interleaved A/B rounds on the
 * main thread (no scan worker), scaled to a million spans. CPU time, not wall time: the machine's load changes the
 * latter far more than the former.
 */
export async function edgeRollupCost(spans: number, rounds: number) {
  const [withEdges, factsOnly] = [buildRecords(spans, true), buildRecords(spans, false)];
  await rollupCpuMs(factsOnly.slice(0, 20_000)); // warm-up: compile the scanner, parser and aggregator
  const perRound: { withEdgesMs: number; factsOnlyMs: number; edgeParseMs: number }[] = [];
  for (let r = 0; r < rounds; r++) {
    const a = await rollupCpuMs(withEdges);
    const b = await rollupCpuMs(factsOnly);
    perRound.push({
      withEdgesMs: Math.round(a),
      factsOnlyMs: Math.round(b),
      edgeParseMs: Math.round(edgeParseCpuMs(withEdges)),
    });
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const perMillion = 1_000_000 / spans;
  const edgesMs = median(perRound.map((p) => p.withEdgesMs - p.factsOnlyMs));
  return {
    spans,
    edgeLines: spans / 2,
    rounds: perRound,
    rollupCpuSecondsPerMillionSpans: Number(
      ((median(perRound.map((p) => p.withEdgesMs)) * perMillion) / 1000).toFixed(2),
    ),
    factsOnlyCpuSecondsPerMillionSpans: Number(
      ((median(perRound.map((p) => p.factsOnlyMs)) * perMillion) / 1000).toFixed(2),
    ),
    edgeLinesCpuSecondsPerMillionSpans: Number(((edgesMs * perMillion) / 1000).toFixed(2)),
    edgeParseCpuSecondsPerMillionSpans: Number(
      ((median(perRound.map((p) => p.edgeParseMs)) * perMillion) / 1000).toFixed(2),
    ),
  };
}
