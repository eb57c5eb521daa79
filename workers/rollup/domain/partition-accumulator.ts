import { MinuteMetricsAggregator, minuteMs, type EndpointMinutes } from '../../domain/minute-metrics.js';
import type { RawFact, RawRecord, RawServiceEvent } from '../../domain/raw-record.js';
import { EdgeMatcher, type EdgeMatchLimits } from './edge-matcher.js';
import {
  buildEventFingerprint,
  buildIdFingerprint,
  dedupeBytesPerEvent,
  EventFingerprintSet,
} from './event-fingerprint-set.js';
import { forEachLine } from './for-each-line.js';
import { InvalidRawLineError, parseRawLine } from './parse-raw-line.js';
import { RawFactScanner } from './raw-fact-scanner.js';
import type { SegmentScanResult } from './segment-scan-result.js';
import { offerScannedExemplar } from './scanned-exemplar.js';

const hourMs = 3_600_000;
/** Partitions expected to hold fewer distinct events let their dedupe set grow step by step. */
const minReservedEvents = 1 << 20;

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
  /** The service-map matcher's bounds (edge-matcher.ts defaults when absent). */
  edges?: EdgeMatchLimits;
}

/**
 * One pass over the partition. With slices > 1 a pass dedupes and counts only the facts whose fingerprint falls
 * in its slice (every other line — events, invalid lines — counts in slice 0), so each line counts in exactly one
 * pass and the passes share one aggregator.
 */
export class PartitionAccumulator {
  facts: EventFingerprintSet;
  readonly events = new Map<string, RawServiceEvent>();
  readonly aggregator = new MinuteMetricsAggregator();
  /** Service-map edges (docs/adr/0085): read, deduped and matched in slice 0 only, like service events. */
  readonly edges: EdgeMatcher;
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
    this.edges = new EdgeMatcher(startMs, limits.edges);
  }

  /**
   * After `doneBytes` of the partition's `totalBytes` of compressed input: reserves the dedupe set for the distinct
   * events the whole input brings at the rate seen so far, so a large partition's set is rehashed about once
   * instead of growing step by step. Below minReservedEvents it grows as before (gravix dev's small partitions
   * keep their small sets). A misjudged rate only costs memory, never more than the dedupe budget admits.
   */
  expectInputBytes(doneBytes: number, totalBytes: number): void {
    if (doneBytes <= 0 || totalBytes <= doneBytes) return;
    const expected = Math.ceil((this.facts.size * totalBytes) / doneBytes);
    if (expected >= minReservedEvents) this.facts.reserve(expected);
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
      // Exemplars come from every fact line of the hour, duplicates included (the same request), in slice 0 only.
      if (this.slice === 0 && fact.traceStart >= 0) {
        const endpoint = this.aggregator.endpoint(fact.service, fact.method, fact.path);
        offerScannedExemplar(endpoint.exemplarsOf(Math.floor(fact.ts / minuteMs)), chunk, fact);
        if (fact.parentStart >= 0) {
          const trace = chunk.toString('latin1', fact.traceStart, fact.traceEnd);
          const parent = chunk.toString('latin1', fact.parentStart, fact.parentEnd);
          this.edges.addServerParent(trace, parent, fact.service, fact.ts);
        }
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

  /**
   * One piece of a worker's scan of a segment: the same dedupe and aggregation, in the same input order. `endpoints`
   * belongs to the segment: each piece adds its new dictionary entries to it, so later pieces' group ids resolve.
   */
  addScan(scan: SegmentScanResult, endpoints: EndpointMinutes[]): void {
    const fp = scan.fingerprints;
    this.addEndpoints(scan, endpoints);
    const { times, groups, statuses, latencies, buckets } = scan;
    let newest = this.newestTs;
    let other = 0;
    let parent = 0;
    const parents = scan.serverParents;
    for (let i = 0; i < scan.count; i++) {
      while (other < scan.otherAt.length && scan.otherAt[other] === i)
        this.addLine(scan.otherLines[other++]!);
      parent = this.replayParents(parents, parent, i, endpoints, times);
      if (!this.owns(fp[i * 3 + 1]!)) continue;
      this.stats.lines += 1;
      if (!this.facts.addFingerprint(fp[i * 3]!, fp[i * 3 + 1]!, fp[i * 3 + 2]!)) {
        this.stats.duplicates += 1;
        continue;
      }
      this.stats.facts += 1;
      const ts = times[i]!;
      endpoints[groups[i]!]!.add(Math.floor(ts / minuteMs), statuses[i]!, latencies[i]!, buckets[i]!);
      if (ts > newest) newest = ts;
      if ((i & 4095) === 0) this.checkRows();
    }
    while (other < scan.otherLines.length) this.addLine(scan.otherLines[other++]!);
    if (this.slice === 0) {
      for (const { group, minuteIndex, row } of scan.exemplars)
        endpoints[group]!.mergeExemplars(minuteIndex, row);
    }
    // Only distinct facts count: a re-sent event_id may carry another time (the first one seen wins).
    if (newest > this.newestTs) this.newestTs = newest;
    this.checkRows();
  }

  /** One endpoint lookup per dictionary entry, not per fact. */
  private addEndpoints(scan: SegmentScanResult, endpoints: EndpointMinutes[]): void {
    for (const [service, method, path] of scan.dictionary)
      endpoints.push(this.aggregator.endpoint(service, method, path));
  }

  /**
   * The SERVER-span parents recorded at fact i, in line order with the other lines, as the in-thread path sees
   * them (the first SERVER span of a parent wins); returns the next cursor.
   */
  private replayParents(
    parents: SegmentScanResult['serverParents'],
    cursor: number,
    i: number,
    endpoints: readonly { service: string }[],
    times: ArrayLike<number>,
  ): number {
    if (this.slice > 0) return cursor;
    let next = cursor;
    while (next < parents.length && parents[next]!.at === i) {
      const { trace, parent, group } = parents[next++]!;
      this.edges.addServerParent(trace, parent, endpoints[group]!.service, times[i]!);
    }
    return next;
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
    if (record.kind === 'fact') return this.addFactLine(record);
    // Events and edges are deduped whole in slice 0: every line is read there.
    if (this.slice > 0) return;
    this.stats.lines += 1;
    if (record.kind === 'edge') this.edges.addEdge(record);
    else this.addEvent(record);
  }

  private addFactLine(record: RawFact): void {
    if (this.slice === 0 && record.trace_id && record.parent_span_id)
      this.edges.addServerParent(record.trace_id, record.parent_span_id, record.service, record.ts);
    this.offerExemplar(record);
    buildIdFingerprint(record.event_id, this.fp);
    if (!this.owns(this.fp[1]!)) return;
    this.stats.lines += 1;
    this.addFact(record);
  }

  /** Exemplars come from every fact line of the hour, duplicates included (the same request), in slice 0 only. */
  private offerExemplar(fact: RawFact): void {
    if (this.slice !== 0 || !fact.trace_id) return;
    const endpoint = this.aggregator.endpoint(fact.service, fact.method, fact.path);
    endpoint.offerExemplar(Math.floor(fact.ts / minuteMs), {
      traceId: fact.trace_id,
      spanId: fact.span_id || null,
      latencyMs: fact.latency_ms,
      statusCode: fact.status_code,
      ts: fact.ts,
    });
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
