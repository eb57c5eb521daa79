import { createHash } from 'node:crypto';
import { MinuteMetricsAggregator, type MinuteMetricsRow } from '../../domain/minute-metrics.js';
import { partitionStartMs, type RawPartition } from '../../domain/raw-partition.js';
import type { RawRecord, RawServiceEvent } from '../../domain/raw-record.js';
import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { rollUpMinutesToHours, rollUpToServices } from '../../domain/hour-metrics.js';
import {
  encodeHourMetrics,
  encodeRequestMetrics,
  encodeServiceEvents,
  encodeServiceMetrics,
} from '../adapters/metrics-parquet.js';
import { forEachLine, readGzipLineChunks } from '../adapters/raw-segment-lines.js';
import type { SegmentScanPool, SegmentScanResult } from '../adapters/segment-scan-pool.js';
import {
  buildEventFingerprint,
  buildIdFingerprint,
  DedupeBudgetExceededError,
  dedupeBytesPerEvent,
  EventFingerprintSet,
} from '../domain/event-fingerprint-set.js';
import { InvalidRawLineError, parseRawLine } from '../domain/parse-raw-line.js';
import { RawFactScanner } from '../domain/raw-fact-scanner.js';
import { pauseAtPhase } from './test-phase-pause.js';
import { buildInputsDigest, type ManifestInput, type RollupManifest } from '../domain/rollup-manifest.js';
import { type MetricsTable } from '../../domain/metrics-layout.js';

const hourMs = 3_600_000;

export class RawSegmentVanishedError extends Error {
  readonly code = 'RAW_SEGMENT_VANISHED';
}

/** The partition has more (minute, service, method, path) rows than maxPartitionRows allows. */
export class PartitionTooManyRowsError extends Error {
  readonly code = 'PARTITION_TOO_MANY_ROWS';
}

/** Memory bounds of one partition's computation (config: GRAVIX_ROLLUP_DEDUPE_MEMORY_MB, _MAX_PARTITION_ROWS). */
export interface PartitionLimits {
  /** Bytes the event-id dedupe set may use; past it the partition is deduped in hash slices, one pass each. */
  dedupeBudgetBytes: number;
  /** Most aggregation rows (minute x endpoint); past it the partition fails rather than the process. */
  maxPartitionRows: number;
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
  stats: RollupManifest['stats'];
}

/**
 * One pass over the partition. With slices > 1 a pass dedupes and counts only the facts whose fingerprint falls
 * in its slice (every other line — events, invalid lines — counts in slice 0), so each line counts in exactly one
 * pass and the passes share one aggregator.
 */
class PartitionAccumulator {
  facts: EventFingerprintSet;
  readonly events = new Map<string, RawServiceEvent>();
  readonly aggregator = new MinuteMetricsAggregator();
  readonly stats = { lines: 0, duplicates: 0, invalid: 0, facts: 0, events: 0 };
  /** Newest fact time (freshness: the manifest's stats.newest_event_ms). */
  newestTs = -Infinity;
  slice = 0;
  private readonly scanner = new RawFactScanner();
  private readonly fp = new Uint32Array(3);

  constructor(
    private readonly startMs: number,
    private readonly onInvalid: (message: string) => void,
    private readonly limits: PartitionLimits & { slices: number; partition: string },
  ) {
    this.facts = this.newSet();
  }

  /** The next slice: a fresh dedupe set, the same aggregator. */
  nextSlice(): void {
    this.slice += 1;
    this.facts = this.newSet();
  }

  private newSet(): EventFingerprintSet {
    const maxSize = Math.floor(this.limits.dedupeBudgetBytes / dedupeBytesPerEvent);
    return new EventFingerprintSet(Math.min(1 << 16, Math.max(1024, maxSize)), { maxSize });
  }

  private owns(b: number): boolean {
    return this.limits.slices === 1 || b % this.limits.slices === this.slice;
  }

  /** Facts in canonical form take the allocation-free path; everything else goes through parseRawLine. */
  addChunk(chunk: Buffer): void {
    const fp = this.fp;
    forEachLine(chunk, (start, end) => {
      if (!this.scanner.scan(chunk, start, end)) return this.addLine(chunk.toString('utf8', start, end));
      const fact = this.scanner.fact;
      if (fact.ts < this.startMs || fact.ts >= this.startMs + hourMs) {
        if (this.slice > 0) return;
        this.stats.lines += 1;
        return this.invalid(`raw line: ts ${fact.ts} is outside the partition hour`);
      }
      buildEventFingerprint(chunk, fact.idStart, fact.idEnd, fp);
      if (!this.owns(fp[1]!)) return;
      this.stats.lines += 1;
      if (!this.facts.addFingerprint(fp[0]!, fp[1]!, fp[2]!)) {
        this.stats.duplicates += 1;
        return;
      }
      this.stats.facts += 1;
      this.aggregator.add(fact);
      if (fact.ts > this.newestTs) this.newestTs = fact.ts;
    });
    this.checkRows();
  }

  /** A worker's scan of one segment: the same dedupe and aggregation, in the same input order. */
  addScan(scan: SegmentScanResult): void {
    const fact = { ts: 0, service: '', method: '', path: '', status_code: 0, latency_ms: 0 };
    const fp = scan.fingerprints;
    let other = 0;
    for (let i = 0; i < scan.count; i++) {
      while (other < scan.otherAt.length && scan.otherAt[other] === i)
        this.addLine(scan.otherLines[other++]!);
      if (!this.owns(fp[i * 3 + 1]!)) continue;
      this.stats.lines += 1;
      if (!this.facts.addFingerprint(fp[i * 3]!, fp[i * 3 + 1]!, fp[i * 3 + 2]!)) {
        this.stats.duplicates += 1;
        continue;
      }
      const group = scan.dictionary[scan.groups[i]!]!;
      fact.ts = scan.minutes[i]! * 60_000;
      fact.service = group[0];
      fact.method = group[1];
      fact.path = group[2];
      fact.status_code = scan.statuses[i]!;
      fact.latency_ms = scan.latencies[i]!;
      this.stats.facts += 1;
      this.aggregator.add(fact);
      if ((i & 4095) === 0) this.checkRows();
    }
    while (other < scan.otherLines.length) this.addLine(scan.otherLines[other++]!);
    // A duplicate shares its event's time, so the scan's newest in-hour fact is the newest distinct one.
    if (scan.newestTs > this.newestTs) this.newestTs = scan.newestTs;
    this.checkRows();
  }

  /** Fails the partition, not the process, when its aggregation state passes the configured bound. */
  private checkRows(): void {
    if (this.aggregator.size <= this.limits.maxPartitionRows) return;
    throw new PartitionTooManyRowsError(
      `partition ${this.limits.partition} has more than ${this.limits.maxPartitionRows} (minute, service, method, path) rows (GRAVIX_ROLLUP_MAX_PARTITION_ROWS); not rolled up`,
    );
  }

  addLine(line: string): void {
    let record: RawRecord;
    try {
      record = parseRawLine(line);
    } catch (error) {
      if (!(error instanceof InvalidRawLineError)) throw error;
      if (this.slice > 0) return;
      this.stats.lines += 1;
      return this.invalid(error.message);
    }
    // A record outside the hour would be counted again by the partition it belongs to.
    if (record.ts < this.startMs || record.ts >= this.startMs + hourMs) {
      if (this.slice > 0) return;
      this.stats.lines += 1;
      return this.invalid(`raw line: ts ${record.ts} is outside the partition hour`);
    }
    if (record.kind === 'fact') {
      buildIdFingerprint(record.event_id, this.fp);
      if (!this.owns(this.fp[1]!)) return;
      this.stats.lines += 1;
      this.addFact(record);
    } else if (this.slice === 0) {
      this.stats.lines += 1;
      this.addEvent(record);
    }
  }

  private invalid(message: string): void {
    this.stats.invalid += 1;
    this.onInvalid(message);
  }

  private addFact(fact: RawRecord & { kind: 'fact' }): void {
    if (!this.facts.addFingerprint(this.fp[0]!, this.fp[1]!, this.fp[2]!)) {
      this.stats.duplicates += 1;
      return;
    }
    this.stats.facts += 1;
    this.aggregator.add(fact);
    if (fact.ts > this.newestTs) this.newestTs = fact.ts;
    this.checkRows();
  }

  private addEvent(event: RawServiceEvent): void {
    if (this.events.has(event.event_id)) {
      this.stats.duplicates += 1;
      return;
    }
    this.stats.events += 1;
    this.events.set(event.event_id, event);
  }
}

function output(bytes: Uint8Array, rows: number): ComputedOutput {
  return { bytes, rows, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** The partition's files: minute rows as computed, the pre-merged tables derived from them, and events. */
function encodeOutputs(
  rows: MinuteMetricsRow[],
  events: RawServiceEvent[],
): Record<MetricsTable, ComputedOutput> {
  const hours = rollUpMinutesToHours(rows);
  const [serviceMinutes, serviceHours] = [rollUpToServices(rows, 'minute'), rollUpToServices(rows, 'hour')];
  return {
    request_metrics_minute: output(encodeRequestMetrics(rows), rows.length),
    request_metrics_hour: output(encodeHourMetrics(hours), hours.length),
    service_metrics_minute: output(encodeServiceMetrics('minute', serviceMinutes), serviceMinutes.length),
    service_metrics_hour: output(encodeServiceMetrics('hour', serviceHours), serviceHours.length),
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
  pool: SegmentScanPool | undefined;
  acc: PartitionAccumulator;
  inputs: ManifestInput[];
}

/** Reads every input once, in key order, into the accumulator's current slice. */
async function readInputs({ store, partition, keys, pool, acc, inputs }: PassInput): Promise<void> {
  const startMs = partitionStartMs(partition);
  const inFlight: Promise<SegmentScanResult>[] = [];
  for (const key of keys) {
    await pauseAtPhase('scan');
    const object = await store.get(key);
    if (object === undefined) {
      throw new RawSegmentVanishedError(
        `raw segment '${key}' was listed but is gone (deleted by retention?)`,
      );
    }
    inputs.push({ key, etag: object.etag, size: object.size });
    if (!pool) {
      for await (const chunk of readGzipLineChunks(object.body, key)) acc.addChunk(chunk);
      continue;
    }
    // Results are consumed strictly in input order; a bounded window keeps memory flat.
    inFlight.push(pool.scan(key, object.body, startMs));
    if (inFlight.length > pool.size) acc.addScan(await inFlight.shift()!);
  }
  for (const scan of inFlight) acc.addScan(await scan);
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
  inputKeys: readonly string[],
  onInvalid: (message: string) => void = () => undefined,
  pool?: SegmentScanPool,
  limits: PartitionLimits = defaultPartitionLimits,
): Promise<ComputedPartition> {
  const keys = [...inputKeys].sort();
  const name = `tenant=${partition.tenant}/date=${partition.date}/hour=${partition.hour}`;
  for (let slices = 1; ; slices *= 2) {
    const acc = new PartitionAccumulator(partitionStartMs(partition), onInvalid, {
      ...limits,
      slices,
      partition: name,
    });
    const inputs = await readSlices({ store, partition, keys, pool, acc, inputs: [] }, slices);
    if (inputs) return buildComputed(partition, inputs, acc);
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
): ComputedPartition {
  const rows = acc.aggregator.rows();
  const events = [...acc.events.values()].sort(compareEvents);
  return {
    partition,
    inputs,
    inputsDigest: buildInputsDigest(inputs),
    outputs: encodeOutputs(rows, events),
    stats: acc.newestTs === -Infinity ? acc.stats : { ...acc.stats, newest_event_ms: acc.newestTs },
  };
}
