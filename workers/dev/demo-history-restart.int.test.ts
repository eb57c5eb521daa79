import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../testbin/harness/free-port.js';
import { startGravix, type GravixProcess } from '../../testbin/harness/gravix-process.js';
import { waitUntil } from '../../testbin/harness/wait-until.js';
import type { TimeseriesResponse } from '../query/api-types.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * `gravix dev --demo --history` started twice on one data directory, as a newcomer does after Ctrl-C (README:
 * "a second start continues"): the back-dated hours are sent once. Before, the second start sent them again with
 * new event ids and every back-dated hour counted twice (probe 3: 276,196 requests for 138,766 sent once).
 */
describe('gravix dev --demo --history, started again on the same data directory', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gx-demo-history-restart-'));
  let dev: GravixProcess | undefined;
  afterAll(async () => {
    await dev?.kill('SIGTERM');
  });

  const start = async () => {
    const [ingestPort, queryPort] = [await freePort(), await freePort()];
    const started = Date.now();
    const proc = await startGravix(
      'dev',
      {
        GRAVIX_DATA_DIR: dataDir,
        GRAVIX_INGEST_PORT: String(ingestPort),
        GRAVIX_QUERY_PORT: String(queryPort),
        GRAVIX_WAL_SEGMENT_AGE_MS: '1000',
        GRAVIX_ROLLUP_INTERVAL_MS: '2000',
        GRAVIX_DEMO_RATE: '0.5',
      },
      `http://127.0.0.1:${queryPort}/ready`,
      ['--demo', '--history', '3h'],
      120_000,
    );
    return { proc, started, base: `http://127.0.0.1:${queryPort}` };
  };
  const key = () => readFileSync(join(dataDir, 'dev-api-key'), 'utf8').trim();
  const logLine = (proc: GravixProcess, msg: string) =>
    readFileSync(proc.proc.logPath, 'utf8')
      .split('\n')
      .find((l) => l.includes(`"${msg}"`));
  /** Requests in the whole minutes of the first start's history, before its live traffic began. */
  const backDated = async (base: string, from: number, to: number) => {
    const res = await fetch(`${base}/api/v1/timeseries?from=${from}&to=${to}&step=${to - from}`, {
      headers: { authorization: `Bearer ${key()}` },
    });
    return ((await res.json()) as TimeseriesResponse).points[0]!.requests;
  };

  it('sends the back-dated hours once: the second start leaves them as the first counted them', async () => {
    const first = await start();
    dev = first.proc;
    const sent = await waitUntil(async () => logLine(first.proc, 'demo history sent'), {
      what: 'the first history sent',
      timeoutMs: 180_000,
      intervalMs: 500,
    });
    const facts = (JSON.parse(sent) as { facts: number }).facts;
    const from = Math.ceil((first.started - 3 * HOUR) / MINUTE) * MINUTE + MINUTE;
    const to = Math.floor(first.started / MINUTE) * MINUTE - MINUTE;
    // Every fact sent, less the ~0.5% repeated ids, minus the few in the minutes left out at either end.
    const counted = await waitUntil(
      async () => {
        const n = await backDated(first.base, from, to);
        return n > facts * 0.9 ? n : undefined;
      },
      { what: 'the history rolled up', timeoutMs: 180_000, intervalMs: 2000 },
    );
    await first.proc.kill('SIGTERM');

    const second = await start();
    dev = second.proc;
    await waitUntil(
      async () => logLine(second.proc, 'demo history already in this data directory: not sent again'),
      { what: 'the second start skipping the history', timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(logLine(second.proc, 'demo history started')).toBeUndefined();
    // Once a rollup pass of the second start has run past the first one's last upload, the back-dated minutes
    // hold what the first start sent, once: at most the facts sent (repeated ids count once), not twice as many.
    const passAt = async () => {
      const res = await fetch(`${second.base}/api/v1/freshness`, {
        headers: { authorization: `Bearer ${key()}` },
      });
      return ((await res.json()) as { lastRollupPassAt: number | null }).lastRollupPassAt ?? 0;
    };
    const settled = await waitUntil(
      async () => {
        const before = await backDated(second.base, from, to);
        const pass = await passAt();
        if (pass < second.started + 10_000) return undefined;
        await waitUntil(async () => ((await passAt()) > pass ? true : undefined), {
          what: 'one more rollup pass',
          timeoutMs: 60_000,
          intervalMs: 500,
        });
        return (await backDated(second.base, from, to)) === before ? before : undefined;
      },
      { what: 'the back-dated minutes settled after the second start', timeoutMs: 180_000, intervalMs: 1000 },
    );
    expect(settled).toBeGreaterThanOrEqual(counted);
    expect(settled).toBeLessThanOrEqual(facts);
  }, 600_000);
});
