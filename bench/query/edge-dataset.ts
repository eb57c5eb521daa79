import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  EdgeMinutesAggregator,
  rollUpEdgesToHours,
  type EdgeMetricsRow,
} from '../../workers/domain/edge-metrics.js';
import {
  buildDataFileKey,
  buildDayTileKey,
  buildOpenDayTileKey,
  openDayTileOf,
  type DayTileTable,
} from '../../workers/domain/metrics-layout.js';
import { buildRawPartition } from '../../workers/domain/raw-partition.js';
import { buildSeededRandom } from '../../workers/domain/seeded-random.js';
import { encodeEdgeMetrics } from '../../workers/rollup/adapters/metrics-parquet.js';
import { encodeDayTiles } from '../../workers/rollup/adapters/metrics-files.js';

export interface EdgeDatasetOptions {
  root: string;
  tenant: string;
  /** Midnight after the last day. */
  end: number;
  days: number;
  callers: number;
  calleesPerCaller: number;
  /** Share of (edge, minute) cells with calls. */
  density: number;
  /** The last day's first hours held in its open-day tiles (the rest is read as hours and minutes). */
  openDayHours: number;
}

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

const write = (root: string, key: string, bytes: Uint8Array) => {
  const path = join(root, ...key.split('/'));
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, bytes);
};

/** An hour of edge minute rows: each edge's calls in a minute, 1-5 of them, latencies from its own typical one. */
function edgeMinutes(options: EdgeDatasetOptions, hour: number, random: () => number): EdgeMetricsRow[] {
  const minutes = new EdgeMinutesAggregator();
  const cells = options.callers * options.calleesPerCaller;
  for (let minute = 0; minute < 60; minute++)
    for (let cell = 0; cell < cells; cell++) {
      if (random() >= options.density) continue;
      const [c, k] = [Math.floor(cell / options.calleesPerCaller), cell % options.calleesPerCaller];
      const typical = 2 + ((c * 7 + k * 13) % 40) * 5;
      for (let n = 1 + Math.floor(random() * 5); n > 0; n--)
        minutes.add({
          ts: hour + minute * 60_000 + Math.floor(random() * 60_000),
          caller: `svc-${String(c).padStart(2, '0')}`,
          callee: `svc-${String((c + k + 1) % options.callers).padStart(2, '0')}`,
          status_code: random() < 0.03 ? 503 : 200,
          latency_ms: typical * (0.5 + random()),
        });
    }
  return minutes.rows();
}

/** Day tiles of edges only, by the rollup's own encoder; the request and service tiles are empty. */
async function writeTiles(
  options: EdgeDatasetOptions,
  date: string,
  edges: EdgeMetricsRow[],
  openHours?: number,
) {
  const empty = { request: [], service: [], serviceQuarters: [], requestQuarters: [] };
  const { tiles } = await encodeDayTiles({ ...empty, edges });
  for (const [table, bytes] of Object.entries(tiles) as [DayTileTable, Uint8Array][])
    write(
      options.root,
      openHours === undefined
        ? buildDayTileKey(options.tenant, date, table)
        : buildOpenDayTileKey(options.tenant, date, openHours, openDayTileOf[table]),
      bytes,
    );
}

/**
 * The edge files the rollup would have written for `days` days (minute and hour files of every hour, the closed
 * days' tiles, the last day's open-day tiles of its first `openDayHours` hours); reused once complete.
 */
export async function ensureEdgeDataset(
  options: EdgeDatasetOptions,
): Promise<{ minuteRows: number; reused: boolean }> {
  const done = join(options.root, '.complete');
  if (existsSync(done)) return { minuteRows: -1, reused: true };
  const random = buildSeededRandom(21);
  let minuteRows = 0;
  let day: EdgeMetricsRow[] = [];
  for (let hour = options.end - options.days * dayMs; hour < options.end; hour += hourMs) {
    const date = new Date(hour).toISOString().slice(0, 10);
    if (hour === options.end - dayMs + options.openDayHours * hourMs)
      await writeTiles(options, date, day, options.openDayHours);
    const minutes = edgeMinutes(options, hour, random);
    const hours = rollUpEdgesToHours(minutes);
    const p = buildRawPartition(options.tenant, hour);
    write(options.root, buildDataFileKey('service_edges_minute', p), encodeEdgeMetrics('minute', minutes));
    write(options.root, buildDataFileKey('service_edges_hour', p), encodeEdgeMetrics('hour', hours));
    minuteRows += minutes.length;
    day.push(...hours);
    if ((hour + hourMs) % dayMs === 0) {
      if (hour + hourMs < options.end) await writeTiles(options, date, day);
      day = [];
    }
  }
  writeFileSync(done, JSON.stringify({ minuteRows }));
  return { minuteRows, reused: false };
}
