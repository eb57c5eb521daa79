import { createHash } from 'node:crypto';
import { MinuteMetricsAggregator, type MinuteMetricsRow } from '../domain/minute-metrics.js';
import { partitionStartMs, type RawPartition } from '../domain/raw-partition.js';
import type { RawRecord, RawServiceEvent } from '../domain/raw-record.js';
import type { ObjectStore } from '../adapters/object-store/object-store.js';
import { rollUpMinutesToHours, rollUpToServices } from '../domain/hour-metrics.js';
import {
  encodeHourMetrics,
  encodeRequestMetrics,
  encodeServiceEvents,
  encodeServiceMetrics,
} from './adapters/metrics-parquet.js';
import { forEachLine, readGzipLineChunks } from './adapters/raw-segment-lines.js';
import type { ResolvedScan, SegmentScanPool } from './adapters/segment-scan-pool.js';
import { EventFingerprintSet } from './domain/event-fingerprint-set.js';
import { InvalidRawLineError, parseRawLine } from './domain/parse-raw-line.js';
import { RawFactScanner } from './domain/raw-fact-scanner.js';
import { pauseAtPhase } from './test-phase-pause.js';
import {
  buildInputsDigest,
  type ManifestInput,
  type MetricsTable,
  type RollupManifest,
} from './domain/rollup-manifest.js';

const hourMs = 3_600_000;

export class RawSegmentVanishedError extends Error {
  readonly code = 'RAW_SEGMENT_VANISHED';
}

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

class PartitionAccumulator {
  readonly facts = new EventFingerprintSet();
  readonly events = new Map<string, RawServiceEvent>();
  readonly aggregator = new MinuteMetricsAggregator();
  readonly stats = { lines: 0, duplicates: 0, invalid: 0, facts: 0, events: 0 };
  /** Newest fact time (freshness: the manifest's stats.newest_event_ms). */
  newestTs = -Infinity;
  private readonly scanner = new RawFactScanner();

  constructor(
    private readonly startMs: number,
    private readonly onInvalid: (message: string) => void,
  ) {}

  /** Facts in canonical form take the allocation-free path; everything else goes through parseRawLine. */
  addChunk(chunk: Buffer): void {
    forEachLine(chunk, (start, end) => {
      if (!this.scanner.scan(chunk, start, end)) return this.addLine(chunk.toString('utf8', start, end));
      this.stats.lines += 1;
      const fact = this.scanner.fact;
      if (fact.ts < this.startMs || fact.ts >= this.startMs + hourMs) {
        return this.invalid(`raw line: ts ${fact.ts} is outside the partition hour`);
      }
      if (!this.facts.addAscii(chunk, fact.idStart, fact.idEnd)) {
        this.stats.duplicates += 1;
        return;
      }
      this.stats.facts += 1;
      this.aggregator.add(fact);
      if (fact.ts > this.newestTs) this.newestTs = fact.ts;
    });
  }

  /** A worker's scan of one segment: the same dedupe and aggregation, in the same input order. */
  addScan(scan: ResolvedScan): void {
    const fact = { ts: 0, service: '', method: '', path: '', status_code: 0, latency_ms: 0 };
    const fp = scan.fingerprints;
    let other = 0;
    for (let i = 0; i < scan.count; i++) {
      while (other < scan.otherAt.length && scan.otherAt[other] === i)
        this.addLine(scan.otherLines[other++]!);
      this.stats.lines += 1;
      if (!this.facts.addFingerprint(fp[i * 3]!, fp[i * 3 + 1]!, fp[i * 3 + 2]!)) {
        this.stats.duplicates += 1;
        continue;
      }
      const group = scan.groupsById[scan.groups[i]!]!;
      fact.ts = scan.minutes[i]! * 60_000;
      fact.service = group.service;
      fact.method = group.method;
      fact.path = group.path;
      fact.status_code = scan.statuses[i]!;
      fact.latency_ms = scan.latencies[i]!;
      this.stats.facts += 1;
      this.aggregator.add(fact);
    }
    while (other < scan.otherLines.length) this.addLine(scan.otherLines[other++]!);
    // A duplicate shares its event's time, so the scan's newest in-hour fact is the newest distinct one.
    if (scan.newestTs > this.newestTs) this.newestTs = scan.newestTs;
  }

  addLine(line: string): void {
    this.stats.lines += 1;
    let record: RawRecord;
    try {
      record = parseRawLine(line);
    } catch (error) {
      if (!(error instanceof InvalidRawLineError)) throw error;
      return this.invalid(error.message);
    }
    // A record outside the hour would be counted again by the partition it belongs to.
    if (record.ts < this.startMs || record.ts >= this.startMs + hourMs) {
      return this.invalid(`raw line: ts ${record.ts} is outside the partition hour`);
    }
    if (record.kind === 'fact') this.addFact(record);
    else this.addEvent(record);
  }

  private invalid(message: string): void {
    this.stats.invalid += 1;
    this.onInvalid(message);
  }

  private addFact(fact: RawRecord & { kind: 'fact' }): void {
    if (!this.facts.add(fact.event_id)) {
      this.stats.duplicates += 1;
      return;
    }
    this.stats.facts += 1;
    this.aggregator.add(fact);
    if (fact.ts > this.newestTs) this.newestTs = fact.ts;
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

/**
 * Reads every input of the partition in key order, dedupes by event_id and aggregates; deterministic, so
 * the same inputs always give byte-identical Parquet.
 */
export async function computePartition(
  store: ObjectStore,
  partition: RawPartition,
  inputKeys: readonly string[],
  onInvalid: (message: string) => void = () => undefined,
  pool?: SegmentScanPool,
): Promise<ComputedPartition> {
  const acc = new PartitionAccumulator(partitionStartMs(partition), onInvalid);
  const inputs: ManifestInput[] = [];
  const inFlight: Promise<ResolvedScan>[] = [];
  for (const key of [...inputKeys].sort()) {
    await pauseAtPhase('scan');
    const object = await store.get(key);
    if (object === undefined) {
      throw new RawSegmentVanishedError(
        `raw segment '${key}' was listed but is gone (deleted by retention?)`,
      );
    }
    inputs.push({ key, etag: object.etag, size: object.size });
    if (!pool) {
      for await (const chunk of readGzipLineChunks(object.body)) acc.addChunk(chunk);
      continue;
    }
    // Results are consumed strictly in input order; a bounded window keeps memory flat.
    inFlight.push(pool.scan(object.body, partitionStartMs(partition)));
    if (inFlight.length > pool.size) acc.addScan(await inFlight.shift()!);
  }
  for (const scan of inFlight) acc.addScan(await scan);
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
