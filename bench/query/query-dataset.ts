import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LatencySketch, type LatencyBuckets } from '../../workers/domain/latency-sketch.js';
import type { MinuteMetricsRow } from '../../workers/domain/minute-metrics.js';
import { drawNormal } from '../../workers/domain/random-draws.js';
import { buildSeededRandom } from '../../workers/domain/seeded-random.js';
import { buildRawPartition } from '../../workers/domain/raw-partition.js';
import { buildDataFileKey, buildManifestKey } from '../../workers/domain/metrics-layout.js';
import type { RawPartition } from '../../workers/domain/raw-partition.js';
import {
  encodeRollupManifest,
  rollupVersion,
  type ManifestOutput,
} from '../../workers/rollup/domain/rollup-manifest.js';
import {
  rollUpMinutesToHours,
  rollUpMinutesToQuarters,
  rollUpServicesToQuarters,
  rollUpToServices,
  type HourMetricsRow,
  type QuarterMetricsRow,
  type ServiceMetricsRow,
} from '../../workers/domain/hour-metrics.js';
import {
  buildDayTileKey,
  buildOpenDayTileKey,
  buildOpenHourTileKey,
  openDayTileOf,
  type DayTileTable,
  type OpenHourTileTable,
} from '../../workers/domain/metrics-layout.js';
import {
  decodeHourMetrics,
  decodeRequestMinuteMeasures,
  decodeServiceHourMetrics,
  decodeServiceMinuteMetrics,
  encodeHourMetrics,
  encodeServiceMetrics,
} from '../../workers/rollup/adapters/metrics-parquet.js';
import {
  encodeDayTiles,
  encodeMinuteFile,
  encodeOpenHourTiles,
} from '../../workers/rollup/adapters/metrics-files.js';
import type { MetricsTable } from '../../workers/domain/metrics-layout.js';

export interface DatasetOptions {
  root: string;
  tenant: string;
  end: number;
  days: number;
  services: number;
  paths: number;
  /** Share of (endpoint, minute) cells that saw traffic. */
  density: number;
}

/**
 * A few hundred latency shapes reused across rows: realistic histograms without sampling per row. Sorted by
 * median, so neighbouring shapes are alike: each endpoint draws its minutes from a few neighbours (its own
 * typical latency, varying minute to minute), as real endpoints do.
 */
function buildShapes(
  random: () => number,
): { buckets: LatencyBuckets; sum: number; min: number; max: number; p: number[]; median: number }[] {
  return Array.from({ length: 256 }, () => {
    const sketch = new LatencySketch();
    const median = 5 + random() * 200;
    const values = Array.from({ length: 40 }, () => median * Math.exp(0.6 * drawNormal(random)));
    for (const v of values) sketch.add(v);
    values.sort((a, b) => a - b);
    return {
      buckets: sketch.toBuckets(),
      sum: values.reduce((a, b) => a + b),
      min: values[0]!,
      max: values.at(-1)!,
      p: [0.5, 0.95, 0.99].map((q) => sketch.quantile(q)!),
      median,
    };
  }).sort((a, b) => a.median - b.median);
}

/** Requests in each (endpoint, minute) cell that saw traffic. */
const requestsPerCell = 40;

/** How many neighbouring shapes one endpoint's minutes are drawn from. */
const shapesPerEndpoint = 12;

function hourRows(
  options: DatasetOptions,
  hourStart: number,
  random: () => number,
  shapes: ReturnType<typeof buildShapes>,
): MinuteMetricsRow[] {
  const rows: MinuteMetricsRow[] = [];
  const cells = options.services * options.paths;
  for (let minute = 0; minute < 60; minute++) {
    for (let cell = 0; cell < cells; cell++) {
      const [s, p] = [Math.floor(cell / options.paths), cell % options.paths];
      if (random() >= options.density) continue;
      const home = (cell * 37) % (shapes.length - shapesPerEndpoint);
      const shape = shapes[home + Math.floor(random() * shapesPerEndpoint)]!;
      const errors5xx = random() < 0.05 ? Math.floor(random() * 10) : 0;
      const errors4xx = random() < 0.1 ? 1 : 0;
      const status3xx = random() < 0.2 ? 2 : 0;
      rows.push({
        minuteMs: hourStart + minute * 60_000,
        service: `svc-${String(s).padStart(2, '0')}`,
        method: p % 3 === 0 ? 'POST' : 'GET',
        path: `/api/resource-${p}/:id`,
        requests: requestsPerCell,
        errors5xx,
        errors4xx,
        estimatedRequests: 0,
        status1xx: 0,
        status2xx: requestsPerCell - errors5xx - errors4xx - status3xx,
        status3xx,
        latencySumMs: shape.sum,
        latencyMinMs: shape.min,
        latencyMaxMs: shape.max,
        latencyP50Ms: shape.p[0]!,
        latencyP95Ms: shape.p[1]!,
        latencyP99Ms: shape.p[2]!,
        latency: shape.buckets,
      });
    }
  }
  return rows;
}

type HourFiles = {
  hours: HourMetricsRow[];
  serviceHours: ServiceMetricsRow[];
  serviceMinutes: ServiceMetricsRow[];
  /** The hour's minute rows per quarter-hour, as the rollup's tile builds merge them (read-day-hours.ts). */
  quarters: { request: QuarterMetricsRow[]; service: ServiceMetricsRow[] };
};

const quartersOf = (
  requestMinutes: readonly MinuteMetricsRow[],
  serviceMinutes: readonly ServiceMetricsRow[],
) => ({
  request: rollUpMinutesToQuarters(requestMinutes),
  service: rollUpServicesToQuarters(serviceMinutes),
});

/**
 * An hour a cut-short run already wrote (its files are written in order, the service hour file last): read back
 * for the day tiles. undefined when it was not finished (missing, or cut mid-write so it does not decode).
 */
function writtenHour(path: (table: MetricsTable) => string): HourFiles | undefined {
  if (!existsSync(path('service_metrics_hour'))) return undefined;
  try {
    const serviceMinutes = decodeServiceMinuteMetrics(readFileSync(path('service_metrics_minute')));
    return {
      hours: decodeHourMetrics(readFileSync(path('request_metrics_hour'))),
      serviceHours: decodeServiceHourMetrics(readFileSync(path('service_metrics_hour'))),
      serviceMinutes,
      quarters: quartersOf(
        decodeRequestMinuteMeasures(readFileSync(path('request_metrics_minute'))),
        serviceMinutes,
      ),
    };
  } catch {
    return undefined;
  }
}

function writeHour(rows: readonly MinuteMetricsRow[], path: (table: MetricsTable) => string): HourFiles {
  const write = (table: MetricsTable, bytes: Uint8Array) => {
    mkdirSync(join(path(table), '..'), { recursive: true });
    writeFileSync(path(table), bytes);
  };
  write('request_metrics_minute', encodeMinuteFile(rows));
  const hours = rollUpMinutesToHours(rows);
  write('request_metrics_hour', encodeHourMetrics(hours));
  const serviceHours = rollUpToServices(rows, 'hour');
  const serviceMinutes = rollUpToServices(rows, 'minute');
  write('service_metrics_minute', encodeServiceMetrics('minute', serviceMinutes));
  write('service_metrics_hour', encodeServiceMetrics('hour', serviceHours));
  return { hours, serviceHours, serviceMinutes, quarters: quartersOf(rows, serviceMinutes) };
}

/**
 * A complete day's tiles, built by the rollup's own encoder (metrics-files.ts), row groups included; with
 * `openHours`, the open-day tiles of the day's first hours instead (docs/adr/0091).
 */
async function writeDayTiles(
  options: DatasetOptions,
  date: string,
  day: HourFiles,
  openHours?: number,
): Promise<void> {
  const keyOf = (table: DayTileTable) =>
    openHours === undefined
      ? buildDayTileKey(options.tenant, date, table)
      : buildOpenDayTileKey(options.tenant, date, openHours, openDayTileOf[table]);
  const tile = (table: DayTileTable, bytes: Uint8Array) => {
    const path = join(options.root, ...keyOf(table).split('/'));
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, bytes);
  };
  // The dataset has no service-map edges; the empty edge tile is what the rollup writes for such a day, and the
  // query side reads a date's tiles only when every day-hours tile exists (docs/adr/0104).
  const { tiles } = await encodeDayTiles({
    request: day.hours,
    service: day.serviceHours,
    edges: [],
    serviceQuarters: day.quarters.service,
    requestQuarters: day.quarters.request,
  });
  for (const [table, bytes] of Object.entries(tiles) as [DayTileTable, Uint8Array][]) tile(table, bytes);
}

/**
 * The hour's manifest as the rollup commits it (published, sealed), over the files just written: the query side
 * lists manifests for the tenant's first committed hour and the result cache's keys (docs/adr/0099). The dataset
 * writes no events or edges, so the events output names an empty file and the edge outputs are absent.
 */
function writeManifest(
  options: DatasetOptions,
  partition: RawPartition,
  path: (table: MetricsTable) => string,
  hour: number,
  rows: { minutes: number; files: HourFiles },
): void {
  const output = (table: MetricsTable, count: number): ManifestOutput => {
    const bytes = existsSync(path(table)) ? readFileSync(path(table)) : new Uint8Array();
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    return { key: buildDataFileKey(table, partition), sha256, rows: count, bytes: bytes.length };
  };
  const facts = rows.minutes * requestsPerCell;
  const manifest = encodeRollupManifest({
    format: 'gravix.rollup-manifest/v1',
    ...partition,
    generation: 1,
    rollup_version: rollupVersion,
    inputs_digest: '',
    inputs: [],
    outputs: {
      request_metrics_minute: output('request_metrics_minute', rows.minutes),
      request_metrics_hour: output('request_metrics_hour', rows.files.hours.length),
      service_metrics_minute: output('service_metrics_minute', rows.files.serviceMinutes.length),
      service_metrics_hour: output('service_metrics_hour', rows.files.serviceHours.length),
      service_events: output('service_events', 0),
    },
    published: true,
    sealed: true,
    committed_at: new Date(hour + 3_600_000).toISOString(),
    stats: { lines: facts, duplicates: 0, invalid: 0, facts, events: 0, newest_event_ms: hour + 3_599_999 },
  });
  const file = join(options.root, ...buildManifestKey(partition).split('/'));
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, manifest);
}

/**
 * The hours of the dataset's last day that the rollup would hold in its open-day tiles at the bench's "now"
 * (a few minutes before the data ends, with the default 5-minute lateness): all but the last.
 */
export const benchOpenDayHours = 23;

/**
 * The minutes of the dataset's last hour that the rollup would hold in its open-hour tiles at the bench's "now"
 * (52 min 40 s into the hour, with the default 5-minute lateness: 47 closed minutes, docs/adr/0123).
 */
export const benchOpenHourMinutes = 47;

/** The open-hour tiles of the dataset's last hour, built by the rollup's own encoder (metrics-files.ts). */
function writeOpenHourTiles(
  options: DatasetOptions,
  partition: RawPartition,
  rows: { request: readonly MinuteMetricsRow[]; service: readonly ServiceMetricsRow[] },
): void {
  const hour = Date.parse(`${partition.date}T${partition.hour}:00:00Z`);
  const tiles = encodeOpenHourTiles(rows, hour + benchOpenHourMinutes * 60_000);
  for (const [table, bytes] of Object.entries(tiles) as [OpenHourTileTable, Uint8Array][]) {
    const path = join(
      options.root,
      ...buildOpenHourTileKey(partition, benchOpenHourMinutes, table).split('/'),
    );
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, bytes);
  }
}

/**
 * Writes the metrics files the rollup would have written (every table); returns the number of minute
 * rows. Reuses a finished dataset, and resumes one a timeout cut short: the rows of every hour are drawn again
 * (the same seeded sequence, so the data is the same) but an hour already written is not rolled up or encoded
 * again, which is most of the ~80 s a quiet machine takes (over 40 minutes at load 40).
 */
export async function ensureDataset(options: DatasetOptions): Promise<{ rows: number; reused: boolean }> {
  const done = join(options.root, '.complete');
  if (existsSync(done))
    return { rows: (JSON.parse(readFileSync(done, 'utf8')) as { rows: number }).rows, reused: true };
  const random = buildSeededRandom(11);
  const shapes = buildShapes(random);
  let total = 0;
  const firstHour = Math.floor(options.end / 3_600_000) * 3_600_000 - options.days * 86_400_000;
  const emptyDay = (): HourFiles => ({
    hours: [],
    serviceHours: [],
    serviceMinutes: [],
    quarters: { request: [], service: [] },
  });
  let day = emptyDay();
  for (let hour = firstHour; hour < options.end; hour += 3_600_000) {
    const rows = hourRows(options, hour, random, shapes);
    if (hour === options.end - (24 - benchOpenDayHours) * 3_600_000)
      await writeDayTiles(options, new Date(hour).toISOString().slice(0, 10), day, benchOpenDayHours);
    const partition = buildRawPartition(options.tenant, hour);
    const path = (table: MetricsTable) =>
      join(options.root, ...buildDataFileKey(table, partition).split('/'));
    const files = writtenHour(path) ?? writeHour(rows, path);
    writeManifest(options, partition, path, hour, { minutes: rows.length, files });
    if (hour + 3_600_000 === options.end)
      writeOpenHourTiles(options, partition, { request: rows, service: files.serviceMinutes });
    day.hours.push(...files.hours);
    day.serviceHours.push(...files.serviceHours);
    day.serviceMinutes.push(...files.serviceMinutes);
    day.quarters.request.push(...files.quarters.request);
    day.quarters.service.push(...files.quarters.service);
    // The last day is still open at the bench's "now" (its open-day tiles are above): no day tiles, as a deployment
    // has none before the day closes.
    if ((hour + 3_600_000) % 86_400_000 === 0) {
      if (hour + 3_600_000 < options.end)
        await writeDayTiles(options, new Date(hour).toISOString().slice(0, 10), day);
      day = emptyDay();
    }
    total += rows.length;
  }
  writeFileSync(done, JSON.stringify({ rows: total }));
  return { rows: total, reused: false };
}
