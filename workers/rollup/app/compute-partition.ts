import { createHash } from 'node:crypto';
import type { MinuteMetricsRow } from '../../domain/minute-metrics.js';
import { partitionStartMs, type RawPartition } from '../../domain/raw-partition.js';
import type { RawServiceEvent } from '../../domain/raw-record.js';
import type { ObjectStore, StoredObject } from '../../adapters/object-store/object-store.js';
import { rollUpMinutesToHours, rollUpToServices } from '../../domain/hour-metrics.js';
import { rollUpEdgesToHours, type EdgeMetricsRow } from '../../domain/edge-metrics.js';
import {
  encodeEdgeMetrics,
  encodeHourMetrics,
  encodeServiceEvents,
  encodeServiceMetrics,
} from '../adapters/metrics-parquet.js';
import { encodeEdgeCarry } from '../adapters/edge-carry-file.js';
import { buildMatchDigest, matchCarried } from '../domain/edge-carry.js';
import { encodeMinuteFile } from '../adapters/metrics-files.js';
import { readGzipLineChunks } from '../adapters/raw-segment-lines.js';
import { scanInThread, type SegmentScan, type SegmentScanner } from '../adapters/segment-scan-pool.js';
import type { EndpointMinutes } from '../../domain/minute-metrics.js';
import { DedupeBudgetExceededError } from '../domain/event-fingerprint-set.js';
import { PartitionAccumulator, type PartitionLimits } from '../domain/partition-accumulator.js';
import { pauseAtPhase } from './test-phase-pause.js';
import { buildMinuteDigests } from '../domain/minute-digests.js';
import { buildInputsDigest, type ManifestInput, type RollupManifest } from '../domain/rollup-manifest.js';
import { type MetricsTable } from '../../domain/metrics-layout.js';

export class RawSegmentVanishedError extends Error {
  readonly code = 'RAW_SEGMENT_VANISHED';
}

export const defaultPartitionLimits: PartitionLimits = {
  dedupeBudgetBytes: 256 * 1024 * 1024,
  maxPartitionRows: 25_000,
};

/** More slices than this would reread the partition too often: it fails with DEDUPE_BUDGET_EXCEEDED instead. */
const maxDedupeSlices = 256;

export interface ComputedOutput {
  bytes: Uint8Array;
  sha256: string;
  rows: number;
}

/** Everything one partition's rollup produced, before anything is written. */
export interface ComputedPartition {
  partition: RawPartition;
  inputs: ManifestInput[];
  inputsDigest: string;
  /** One file per table, all written by the commit winner (docs/adr/0003). */
  outputs: Record<MetricsTable, ComputedOutput>;
  /** The partition's edge carry (docs/adr/0096), written with the data files. */
  carry: ComputedOutput;
  /** What the next hour's heads named, when they were read (the manifest's `edge_next`). */
  edgeNext?: NonNullable<RollupManifest['edge_next']>;
  /** What the previous hour's tails named, when they were read from a carry object (the manifest's `edge_prev`). */
  edgePrev?: NonNullable<RollupManifest['edge_prev']>;
  stats: RollupManifest['stats'];
  /** The manifest's `minute_digests`, computed for an hour still open (`ComputeOptions.minuteDigests`). */
  minuteDigests?: string[];
}

export interface ComputeOptions {
  /**
   * Digest each minute's rows (an open hour's commit: its open-hour tile is keyed on them, docs/adr/0132). Off for
   * sealed hours, which build no open-hour tile, so a closed hour's rollup (the bench's) pays nothing for it.
   */
  minuteDigests?: boolean;
}

/** The next hour's carried heads, read under its published manifest (load-edge-carry.ts). */
export interface NextHourHeads {
  manifestEtag: string;
  heads: ReadonlyMap<string, string>;
}

/** The previous hour's carried tails, read under its published manifest (load-edge-carry.ts, docs/adr/0128). */
export interface PrevHourTails {
  /** The etag of the carry object they were read from; none when that hour was rolled up before carries. */
  carryEtag: string | undefined;
  tails: ReadonlyMap<string, string>;
}

/** The neighbour hours' carries a partition is computed with, when they have a published generation. */
export interface PartitionNeighbours {
  next?: NextHourHeads | undefined;
  prev?: PrevHourTails | undefined;
}

function output(bytes: Uint8Array, rows: number): ComputedOutput {
  return { bytes, rows, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** The partition's files: minute rows as computed, the pre-merged tables derived from them, edges and events. */
function encodeOutputs(
  rows: MinuteMetricsRow[],
  edges: EdgeMetricsRow[],
  events: RawServiceEvent[],
): Record<MetricsTable, ComputedOutput> {
  const hours = rollUpMinutesToHours(rows);
  const edgeHours = rollUpEdgesToHours(edges);
  const [serviceMinutes, serviceHours] = [rollUpToServices(rows, 'minute'), rollUpToServices(rows, 'hour')];
  return {
    request_metrics_minute: output(encodeMinuteFile(rows), rows.length),
    request_metrics_hour: output(encodeHourMetrics(hours), hours.length),
    service_metrics_minute: output(encodeServiceMetrics('minute', serviceMinutes), serviceMinutes.length),
    service_metrics_hour: output(encodeServiceMetrics('hour', serviceHours), serviceHours.length),
    service_edges_minute: output(encodeEdgeMetrics('minute', edges), edges.length),
    service_edges_hour: output(encodeEdgeMetrics('hour', edgeHours), edgeHours.length),
    service_events: output(encodeServiceEvents(events), events.length),
  };
}

function compareEvents(a: RawServiceEvent, b: RawServiceEvent): number {
  return a.ts - b.ts || (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0);
}

interface PassInput {
  store: ObjectStore;
  partition: RawPartition;
  keys: string[];
  /** The inputs' listed sizes, when known (expectInputBytes). */
  sizes: ReadonlyMap<string, number>;
  pool: SegmentScanner | undefined;
  acc: PartitionAccumulator;
  inputs: ManifestInput[];
}

/** The inputs in key order, each read (its body prefetched while the one before is scanned) and recorded once. */
interface SegmentReader {
  remaining(): boolean;
  next(): Promise<{ key: string; body: Uint8Array }>;
}

function segmentReader({ store, keys, inputs }: PassInput): SegmentReader {
  // The next input's bytes are read while the current ones are scanned and deduped: otherwise the main thread
  // waits for each read (an S3 round trip, or a 9 MiB file) with the scan thread possibly idle too.
  let prefetched: Promise<StoredObject | undefined> | undefined;
  let nextIndex = 0;
  return {
    remaining: () => nextIndex < keys.length,
    async next() {
      const index = nextIndex++;
      const key = keys[index]!;
      await pauseAtPhase('scan');
      const object = await (prefetched ?? store.get(key));
      prefetched = prefetchNext(store, keys[index + 1]);
      if (object === undefined) {
        throw new RawSegmentVanishedError(
          `raw segment '${key}' was listed but is gone (deleted by retention?)`,
        );
      }
      inputs.push({ key, etag: object.etag, size: object.size });
      return { key, body: object.body };
    },
  };
}

/** Reads every input once, in key order, into the accumulator's current slice. */
async function readInputs(pass: PassInput): Promise<void> {
  const segments = segmentReader(pass);
  const expect = inputBytesExpecter(pass);
  if (pass.pool) return readThroughScanner(pass, pass.pool, segments, expect);
  while (segments.remaining()) {
    const { key, body } = await segments.next();
    for await (const chunk of readGzipLineChunks(body, key)) pass.acc.addChunk(chunk);
    expect(key);
  }
}

/**
 * Segments are handed out in key order, to the scan threads or, when this thread would wait for them, to this
 * thread (one at a time, docs/adr/0143); their pieces are consumed strictly in key order, so the result is the
 * same whoever scanned what.
 */
async function readThroughScanner(
  { partition, acc }: PassInput,
  pool: SegmentScanner,
  segments: SegmentReader,
  expect: (key: string) => void,
): Promise<void> {
  const startMs = partitionStartMs(partition);
  // Handed out and not yet consumed, the one being consumed first.
  const inFlight: { key: string; scan: SegmentScan; inThread: boolean }[] = [];
  const pooled = () => inFlight.filter((s) => !s.inThread).length;
  const scanningHere = () => inFlight.some((s) => s.inThread);
  const handOut = async (inThread: boolean) => {
    const { key, body } = await segments.next();
    const scan = inThread ? scanInThread(key, body, startMs) : pool.scan(key, body, startMs);
    inFlight.push({ key, scan, inThread });
  };
  while (segments.remaining() || inFlight.length > 0) {
    // A bounded window keeps memory flat: the pool holds at most one queued segment per thread beyond its scans.
    while (segments.remaining() && pooled() <= pool.size) await handOut(false);
    const { key, scan } = inFlight[0]!;
    const endpoints: EndpointMinutes[] = [];
    // Each piece is added as it arrives: dedupe starts on a segment's first piece, not after its whole scan.
    for (;;) {
      if (!scan.ready() && !scanningHere() && segments.remaining()) await handOut(true);
      const piece = await scan.next();
      acc.addScan(piece, endpoints);
      if (piece.last) break;
    }
    inFlight.shift();
    expect(key);
  }
}

/** Starts reading `key`; a failure is seen where the promise is awaited, never as an unhandled rejection. */
function prefetchNext(
  store: ObjectStore,
  key: string | undefined,
): Promise<StoredObject | undefined> | undefined {
  if (key === undefined) return undefined;
  const read = store.get(key);
  read.catch(() => undefined);
  return read;
}

/** Tells the accumulator how much of the input (by listed size) it has consumed, after each input. */
function inputBytesExpecter({ keys, sizes, acc }: PassInput): (key: string) => void {
  let total = 0;
  for (const key of keys) total += sizes.get(key) ?? NaN;
  let done = 0;
  return (key) => {
    done += sizes.get(key) ?? NaN;
    // NaN (a size not listed) compares false: the set then grows step by step.
    if (done > 0) acc.expectInputBytes(done, total);
  };
}

/**
 * Reads every input of the partition in key order, dedupes by event_id and aggregates; deterministic, so
 * the same inputs always give byte-identical Parquet. When the hour has more distinct events than the dedupe
 * budget admits, it is read again in hash slices of the fingerprints, each deduped on its own (exact: an event
 * and its duplicates share a slice), costing one more read of the inputs per slice.
 */
export async function computePartition(
  store: ObjectStore,
  partition: RawPartition,
  inputList: readonly string[] | readonly Pick<ManifestInput, 'key' | 'size'>[],
  onInvalid: (message: string) => void = () => undefined,
  pool?: SegmentScanner,
  limits: PartitionLimits = defaultPartitionLimits,
  neighbours: PartitionNeighbours = {},
  options: ComputeOptions = {},
): Promise<ComputedPartition> {
  const listed = inputList.map((i) => (typeof i === 'string' ? { key: i, size: NaN } : i));
  const keys = listed.map((i) => i.key).sort();
  const sizes = new Map(listed.map((i) => [i.key, i.size]));
  const name = `tenant=${partition.tenant}/date=${partition.date}/hour=${partition.hour}`;
  for (let slices = 1; ; slices *= 2) {
    const acc = new PartitionAccumulator(partitionStartMs(partition), onInvalid, {
      ...limits,
      slices,
      partition: name,
    });
    const inputs = await readSlices({ store, partition, keys, sizes, pool, acc, inputs: [] }, slices);
    if (inputs) return buildComputed(partition, inputs, acc, neighbours, options);
    if (slices * 2 > maxDedupeSlices) {
      throw new DedupeBudgetExceededError(
        `partition ${name} has too many distinct events for the dedupe budget of ${limits.dedupeBudgetBytes} bytes even in ${slices} slices (GRAVIX_ROLLUP_DEDUPE_MEMORY_MB)`,
      );
    }
  }
}

/** Reads every slice; undefined when a slice's distinct events overflow the dedupe budget. */
async function readSlices(pass: PassInput, slices: number): Promise<ManifestInput[] | undefined> {
  try {
    for (let slice = 0; slice < slices; slice++) {
      if (slice > 0) pass.acc.nextSlice();
      pass.inputs = [];
      await readInputs(pass);
    }
    return pass.inputs;
  } catch (error) {
    if (error instanceof DedupeBudgetExceededError) return undefined;
    throw error;
  }
}

function buildComputed(
  partition: RawPartition,
  inputs: ManifestInput[],
  acc: PartitionAccumulator,
  { next, prev }: PartitionNeighbours,
  options: ComputeOptions,
): ComputedPartition {
  const rows = acc.aggregator.rows();
  const minuteDigests = options.minuteDigests
    ? buildMinuteDigests(rows, partitionStartMs(partition))
    : undefined;
  // rows() names the pending callees first, so the edge stats and the carry are final after it.
  const edges = acc.edges.rows({ next: next?.heads, prev: prev?.tails });
  const carry = acc.edges.carry();
  const events = [...acc.events.values()].sort(compareEvents);
  const stats: RollupManifest['stats'] = { ...acc.stats };
  if (acc.newestTs !== -Infinity) stats.newest_event_ms = acc.newestTs;
  if (acc.edges.stats.edges + acc.edges.stats.duplicates > 0) stats.edges = { ...acc.edges.stats };
  return {
    partition,
    inputs,
    inputsDigest: buildInputsDigest(inputs),
    outputs: encodeOutputs(rows, edges, events),
    carry: output(
      encodeEdgeCarry(carry),
      carry.heads.length + carry.waiting.length + carry.tails.length + carry.early.length,
    ),
    // A neighbour matters only to a partition with edges carried to it: others never record (or wait for) it.
    ...(next &&
      carry.waiting.length > 0 && {
        edgeNext: {
          manifest_etag: next.manifestEtag,
          digest: buildMatchDigest(matchCarried(carry.waiting, next.heads)),
        },
      }),
    ...(prev?.carryEtag !== undefined &&
      carry.early.length > 0 && {
        edgePrev: {
          carry_etag: prev.carryEtag,
          digest: buildMatchDigest(matchCarried(carry.early, prev.tails)),
        },
      }),
    stats,
    ...(minuteDigests && { minuteDigests }),
  };
}
