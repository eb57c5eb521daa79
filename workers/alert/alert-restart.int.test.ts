import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../adapters/object-store/local-object-store.js';
import type { RawFact } from '../domain/raw-record.js';
import { runRollupOnce } from '../rollup/app/run-rollup-once.js';
import { putRawSegment } from '../rollup/testing/raw-segments.js';
import { builtCli } from '../../testbin/harness/built-cli.js';
import { freePort } from '../../testbin/harness/free-port.js';
import { startGravix, type GravixProcess } from '../../testbin/harness/gravix-process.js';
import { waitUntil } from '../../testbin/harness/wait-until.js';
import { AlertStore } from './adapters/alert-store.js';
import { startHttpReceiver } from './testing/http-receiver.js';

const minuteMs = 60_000;
const day = 86_400_000;
const rules = `
rules:
  - name: checkout-errors
    kind: threshold
    selector: { tenant: acme, service: checkout }
    threshold: { metric: error_rate, value: 5, window: 1m, for: 1m, minRequests: 10 }
    channels: [hook]
`;

/** 40 requests per minute of checkout in each given minute, `errorPct` percent of them 500s. */
function facts(minutes: readonly number[], errorPct: number, seq: number): RawFact[] {
  return minutes.flatMap((m) =>
    Array.from({ length: 40 }, (_, i) => ({
      kind: 'fact' as const,
      tenant: 'acme',
      event_id: `e${seq}-${m}-${i}`,
      ts: m + i * 1000,
      service: 'checkout',
      method: 'POST',
      path: '/orders',
      status_code: i < (40 * errorPct) / 100 ? 500 : 200,
      latency_ms: 20 + i,
    })),
  );
}

/**
 * `gravix alert` from the built CLI, killed with SIGKILL while its alert fires: the restarted worker sends no
 * second firing notification, and the resolve still arrives once the errors stop.
 */
describe('gravix alert killed while an alert fires', () => {
  let dir: string;
  let store: LocalObjectStore;
  let worker: GravixProcess | undefined;
  let hook: Awaited<ReturnType<typeof startHttpReceiver>>;
  let seq = 0;

  const rollUp = async (minutes: number[], errorPct: number) => {
    seq += 1;
    const records = facts(minutes, errorPct, seq);
    // One segment per hour partition (a segment belongs to the partition of its first record).
    for (const hour of new Set(records.map((r) => Math.floor(r.ts / 3_600_000)))) {
      const part = records.filter((r) => Math.floor(r.ts / 3_600_000) === hour);
      await putRawSegment(store, part, { seq: seq * 100 + (hour % 100) });
    }
    await runRollupOnce({
      store,
      latenessMs: 120_000,
      includeOpen: true,
      rawRetentionMs: 7 * day,
      metricsRetentionMs: 30 * day,
    });
  };
  let metricsUrl = '';
  const start = async () => {
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    worker = await startGravix(
      'alert',
      {
        GRAVIX_STORE: 'local',
        GRAVIX_DATA_DIR: dir,
        GRAVIX_ALERT_RULES_FILE: join(dir, 'rules.yaml'),
        GRAVIX_ALERT_CHANNELS_FILE: join(dir, 'channels.yaml'),
        GRAVIX_TEST_HOOK_URL: `${hook.url}/hook`,
        GRAVIX_ALERT_METRICS_PORT: String(port),
        GRAVIX_ALERT_HOST: '127.0.0.1',
        GRAVIX_ALERT_INTERVAL_MS: '1000',
        GRAVIX_ALERT_SETTLE_MS: '0',
        GRAVIX_ALERT_SEND_BACKOFF_MS: '10',
        GRAVIX_LOG_LEVEL: 'info',
      },
      `http://127.0.0.1:${port}/ready`,
      [],
      // A cold start of the built CLI at load 40-50 on two cores passes the harness's 30 s; a worker that never
      // gets ready still fails here, with its log.
      120_000,
    );
  };
  /**
   * Ticks the running worker has finished: every rule's tick ends in one observation of the evaluation duration
   * (alert-evaluator.ts), also when no minute is due, so it counts the ticks in which a wrongly owed or re-decided
   * notification would have been sent.
   */
  const ticks = async () => {
    const text = await (await fetch(metricsUrl)).text();
    const line = /^gravix_alert_evaluation_duration_seconds_count (\d+)$/m.exec(text);
    return line ? Number(line[1]) : 0;
  };
  const statuses = () =>
    hook.received.flatMap((r) =>
      (JSON.parse(r.body) as { alerts: { status: string }[] }).alerts.map((a) => a.status),
    );

  beforeAll(async () => {
    // Compiling the CLI takes minutes on a loaded machine: done here, outside the test's own timeout.
    await builtCli();
    dir = mkdtempSync(join(tmpdir(), 'gravix-alert-restart-'));
    store = new LocalObjectStore(join(dir, 'store'));
    hook = await startHttpReceiver();
    writeFileSync(join(dir, 'rules.yaml'), rules);
    writeFileSync(join(dir, 'hook-secret'), 'restart-secret\n', { mode: 0o600 });
    writeFileSync(
      join(dir, 'channels.yaml'),
      `channels:\n  - name: hook\n    type: webhook\n    url: { env: GRAVIX_TEST_HOOK_URL }\n    secret: { file: ${join(dir, 'hook-secret')} }\n`,
    );
  }, 600_000);

  afterAll(async () => {
    await worker?.kill();
    await hook?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends firing once across the SIGKILL and the resolve after it', async () => {
    const now = Math.floor(Date.now() / minuteMs) * minuteMs;
    await rollUp([now - 3 * minuteMs, now - 2 * minuteMs, now - minuteMs], 50);
    await start();
    await waitUntil(async () => statuses().includes('firing'), {
      what: 'firing notification',
      timeoutMs: 60_000,
    });
    // The outbox is emptied (the delivery saved) before the kill, so the kill lands "while firing", not mid-send.
    const alerts = new AlertStore(store);
    await waitUntil(
      async () => (await alerts.loadState('acme', 'checkout-errors')).state.outbox.length === 0,
      {
        what: 'delivery saved',
        timeoutMs: 30_000,
      },
    );
    await worker!.kill('SIGKILL');

    await start();
    // Three finished ticks of the restarted worker over the same committed minutes (a re-decided minute or a
    // delivery wrongly still owed would be sent in them): nothing is re-sent. A fixed sleep could end before the
    // first tick at load, and the check after it then proved nothing.
    await waitUntil(async () => (await ticks()) >= 3, {
      what: 'three ticks after the restart',
      timeoutMs: 60_000,
    });
    expect(statuses()).toEqual(['firing']);

    // The errors stop: the next minute is rolled up clean once the clock reaches it.
    const next = Math.floor(Date.now() / minuteMs) * minuteMs;
    await waitUntil(async () => Date.now() >= next + minuteMs, {
      what: 'the next minute',
      timeoutMs: 70_000,
      intervalMs: 500,
    });
    await rollUp([next], 0);
    await waitUntil(async () => statuses().includes('resolved'), {
      what: 'resolved notification',
      timeoutMs: 60_000,
    });
    expect(statuses()).toEqual(['firing', 'resolved']);
    // The receiver answers before the worker saves the emptied outbox.
    await waitUntil(
      async () => (await alerts.loadState('acme', 'checkout-errors')).state.outbox.length === 0,
      {
        what: 'resolve delivery saved',
        timeoutMs: 30_000,
      },
    );
    expect((await alerts.loadState('acme', 'checkout-errors')).state.series).toEqual({});
    expect(statuses()).toEqual(['firing', 'resolved']);
  }, 300_000);
});
