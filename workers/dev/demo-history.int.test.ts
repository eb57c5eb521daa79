import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../testbin/harness/free-port.js';
import { startGravix, type GravixProcess } from '../../testbin/harness/gravix-process.js';
import { waitUntil } from '../../testbin/harness/wait-until.js';
import type { ServicesResponse, TimeseriesResponse } from '../query/api-types.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A week and two hours: the newest hours have their counterpart a week earlier. */
const HISTORY = '170h';

/**
 * `gravix dev --demo --history` (the built CLI): the back-dated week goes through the real ingest path (HTTP,
 * WAL, uploaded segments, the rollup loop) and reads back as a week: queryable from its first hour, every fact the
 * backfill reports sent counted once, deploy and incident markers, realistic names, and week-over-week figures.
 * A low rate (GRAVIX_DEMO_RATE) keeps it quick; the shape does not depend on it.
 */
describe('gravix dev --demo --history', () => {
  let dev: GravixProcess;
  let base: string;
  let key: string;
  let started: number;
  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gx-demo-history-'));
    const [ingestPort, queryPort] = [await freePort(), await freePort()];
    started = Date.now();
    dev = await startGravix(
      'dev',
      {
        GRAVIX_DATA_DIR: dataDir,
        GRAVIX_INGEST_PORT: String(ingestPort),
        GRAVIX_QUERY_PORT: String(queryPort),
        GRAVIX_WAL_SEGMENT_AGE_MS: '2000',
        GRAVIX_ROLLUP_INTERVAL_MS: '3000',
        GRAVIX_DEMO_RATE: '0.05',
      },
      `http://127.0.0.1:${queryPort}/ready`,
      ['--demo', '--history', HISTORY],
    );
    base = `http://127.0.0.1:${queryPort}`;
    key = readFileSync(join(dataDir, 'dev-api-key'), 'utf8').trim();
  }, 180_000);
  afterAll(async () => {
    await dev?.kill('SIGTERM');
  });

  const query = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${base}/api/v1/${path}`, { headers: { authorization: `Bearer ${key}` } });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };

  /** The backfill's own report, from the process log: how many facts it sent and how long it took. */
  const sentReport = () => {
    const line = readFileSync(dev.proc.logPath, 'utf8')
      .split('\n')
      .find((l) => l.includes('"demo history sent"'));
    return line
      ? (JSON.parse(line) as { facts: number; events: number; incidents: number; ms: number })
      : undefined;
  };

  it('rolls the whole back-dated week up through the ingest path, every fact sent counted once', async () => {
    const report = await waitUntil(async () => sentReport(), {
      what: 'the "demo history sent" log line',
      timeoutMs: 240_000,
      intervalMs: 1000,
    });
    expect(report.incidents).toBe(3);
    const [from, to] = [started - 170 * HOUR, started];
    // The rollup catches up within a few passes: the history's first and last hours both read back.
    const total = await waitUntil(
      async () => {
        const all = await query<ServicesResponse>(`services?from=${from}&to=${to}`);
        const first = await query<ServicesResponse>(`services?from=${from}&to=${from + HOUR}`);
        const sum = all.services.reduce((n, s) => n + s.requests, 0);
        return first.services.length > 0 && sum >= report.facts * 0.98 ? { all, sum } : undefined;
      },
      { what: 'the back-dated week rolled up', timeoutMs: 300_000, intervalMs: 3000 },
    );
    // Client retries (~0.5% repeated event ids) are counted once; nothing sent is lost.
    expect(total.sum).toBeLessThanOrEqual(report.facts);
    expect(total.all.services.map((s) => s.service).sort()).toEqual([
      'auth',
      'checkout',
      'inventory',
      'payments',
      'search',
    ]);
    process.stdout.write(
      `demo history ${HISTORY} at 0.05 req/s: ${report.facts} facts sent in ${report.ms} ms\n`,
    );
  }, 600_000);

  it('has deploy and incident markers over the week, incidents with their description', async () => {
    const { events } = await query<{ events: { type: string; service: string; description?: string }[] }>(
      `service-events?from=${started - 170 * HOUR}&to=${started}`,
    );
    expect(events.filter((e) => e.type === 'deploy').length).toBeGreaterThan(20);
    const incidents = events.filter((e) => e.type === 'incident');
    expect(incidents.map((e) => e.service).sort()).toEqual(['checkout', 'payments', 'search']);
    expect(incidents.every((e) => (e.description ?? '').length > 20)).toBe(true);
  });

  it('answers week-over-week: the last hours have their counterpart a week earlier', async () => {
    const [from, to] = [started - 2 * HOUR, started];
    // The first test waits for 98% of the week (client retries are counted once), so the newest hours' rollup may
    // still be under way when this one starts: wait for them rather than read a gap as a missing week.
    const series = await waitUntil(
      async () => {
        const answer = await query<TimeseriesResponse>(
          `timeseries?from=${from}&to=${to}&step=${to - from}&compare=7d`,
        );
        return (answer.points[0]?.requests ?? 0) > 0 ? answer : undefined;
      },
      { what: "the last two hours' rollup", timeoutMs: 120_000, intervalMs: 2000 },
    );
    const [now] = series.points;
    const [weekAgo] = series.compare!.points;
    expect(now!.requests).toBeGreaterThan(0);
    expect(weekAgo!.requests).toBeGreaterThan(0);
    // The same hours of the same weekday, the same rate: within a factor of two of each other.
    expect(now!.requests / weekAgo!.requests).toBeGreaterThan(0.5);
    expect(now!.requests / weekAgo!.requests).toBeLessThan(2);
    const lastWeek = await query<ServicesResponse>(`services?from=${from - 7 * DAY}&to=${to - 7 * DAY}`);
    expect(lastWeek.services.length).toBeGreaterThan(0);
  }, 180_000);
});
