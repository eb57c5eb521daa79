import { createHmac } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { waitUntil } from '../../testbin/harness/wait-until.js';
import { LocalObjectStore } from '../adapters/object-store/local-object-store.js';
import type { RawFact } from '../domain/raw-record.js';
import { RollupManifests } from '../query/adapters/rollup-manifests.js';
import type { QueryEngine } from '../query/app/query-engine.js';
import { openEngine } from '../query/app/query-server.js';
import { runRollupOnce } from '../rollup/app/run-rollup-once.js';
import { putRawSegment } from '../rollup/testing/raw-segments.js';
import { startAlertWorker, type AlertWorker } from './app/alert-worker.js';
import { loadAlertInputs } from './app/alert-inputs.js';
import { loadAlertConfig } from './config.js';
import { startHttpReceiver, type ReceivedRequest } from './testing/http-receiver.js';

const minuteMs = 60_000;
const day = 86_400_000;

/** 40 requests a minute of checkout in each given minute, half of them 500s. */
const facts = (minutes: readonly number[]): RawFact[] =>
  minutes.flatMap((m) =>
    Array.from({ length: 40 }, (_, i) => ({
      kind: 'fact' as const,
      tenant: 'acme',
      event_id: `e-${m}-${i}`,
      ts: m + i * 1000,
      service: 'checkout',
      method: 'POST',
      path: '/orders',
      status_code: i % 2 === 0 ? 500 : 200,
      latency_ms: 20 + i,
    })),
  );

const signatureOf = (r: ReceivedRequest) => String(r.headers['x-gravix-signature']);
const signedWith = (key: string, r: ReceivedRequest) => {
  const [t] = /t=(\d+)/.exec(signatureOf(r))!.slice(1);
  const mac = createHmac('sha256', key).update(`${t}.${r.body}`).digest('hex');
  return signatureOf(r) === `t=${t},v1=${mac}`;
};

/** One sample of the worker's /metrics text; 0 when the series is absent. */
const sample = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
};

/**
 * The alert worker in-process over DuckDB and a local store, its webhook URL and HMAC key in files (a mounted
 * Secret): the old URL fails, the files are rotated while the worker runs, and the owed alert reaches the new URL
 * signed with the new key, without a restart. Its /metrics count what happened, per channel.
 */
describe('gravix alert: channels rotated while it runs, and its /metrics', () => {
  let dir: string;
  let store: LocalObjectStore;
  let engine: QueryEngine;
  let worker: AlertWorker;
  let oldHook: Awaited<ReturnType<typeof startHttpReceiver>>;
  let newHook: Awaited<ReturnType<typeof startHttpReceiver>>;
  let refusing: Awaited<ReturnType<typeof startHttpReceiver>>;
  // Written as kubelet updates a mounted Secret: a new file renamed over the old one.
  const put = (name: string, text: string) => {
    writeFileSync(join(dir, `.${name}.tmp`), text, { mode: 0o600 });
    renameSync(join(dir, `.${name}.tmp`), join(dir, name));
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gravix-alert-rotation-'));
    store = new LocalObjectStore(join(dir, 'store'));
    // The revoked URL answers 503 (retryable: the alert stays owed); the other one refuses (400, not retried).
    oldHook = await startHttpReceiver(Array<number>(1000).fill(503));
    newHook = await startHttpReceiver();
    refusing = await startHttpReceiver(Array<number>(1000).fill(400));
    put('hook-url', `${oldHook.url}/old\n`);
    put('hook-hmac', 'first-key\n');
    put('refusing-url', `${refusing.url}/refusing\n`);
    put('refusing-hmac', 'other-key\n');
    writeFileSync(
      join(dir, 'channels.yaml'),
      'channels:\n' +
        ['hook', 'refusing']
          .map(
            (n) =>
              `  - name: ${n}\n    type: webhook\n    url: { file: ${join(dir, `${n}-url`)} }\n` +
              `    secret: { file: ${join(dir, `${n}-hmac`)} }\n`,
          )
          .join(''),
    );
    writeFileSync(
      join(dir, 'rules.yaml'),
      `rules:
  - name: checkout-errors
    kind: threshold
    selector: { tenant: acme, service: checkout }
    threshold: { metric: error_rate, value: 5, window: 1m, for: 1m, minRequests: 10 }
    channels: [hook, refusing]
`,
    );
    const now = Math.floor(Date.now() / minuteMs) * minuteMs;
    await putRawSegment(store, facts([now - 3 * minuteMs, now - 2 * minuteMs, now - minuteMs]), { seq: 1 });
    await runRollupOnce({
      store,
      latenessMs: 120_000,
      includeOpen: true,
      rawRetentionMs: 7 * day,
      metricsRetentionMs: 30 * day,
    });
    const config = loadAlertConfig({
      GRAVIX_STORE: 'local',
      GRAVIX_DATA_DIR: dir,
      GRAVIX_ALERT_HOST: '127.0.0.1',
      GRAVIX_ALERT_METRICS_PORT: '0',
      GRAVIX_ALERT_INTERVAL_MS: '1000',
      GRAVIX_ALERT_SETTLE_MS: '0',
      GRAVIX_ALERT_SEND_ATTEMPTS: '2',
      GRAVIX_ALERT_SEND_BACKOFF_MS: '10',
      GRAVIX_ALERT_CHANNELS_REREAD_MS: '500',
      GRAVIX_ALERT_RULES_FILE: join(dir, 'rules.yaml'),
      GRAVIX_ALERT_CHANNELS_FILE: join(dir, 'channels.yaml'),
    });
    engine = await openEngine(config.query, new RollupManifests(store));
    worker = await startAlertWorker(
      config,
      loadAlertInputs(config, pino({ level: 'silent' })),
      store,
      engine,
      pino({ level: 'silent' }),
    );
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await engine?.close();
    await Promise.all([oldHook?.stop(), newHook?.stop(), refusing?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers the owed alert to the rotated URL, signed with the rotated key, and counts it all on /metrics', async () => {
    // The firing alert is tried at the old URL (2 attempts per tick) and stays owed.
    await waitUntil(async () => oldHook.received.length >= 2, {
      what: 'attempts at the old URL',
      timeoutMs: 60_000,
    });
    await waitUntil(async () => refusing.received.length >= 1, {
      what: 'the refused delivery',
      timeoutMs: 60_000,
    });
    expect(signedWith('first-key', oldHook.received[0]!)).toBe(true);

    put('hook-hmac', 'second-key\n');
    put('hook-url', `${newHook.url}/new\n`);
    await waitUntil(async () => newHook.received.length >= 1, {
      what: 'delivery at the new URL',
      timeoutMs: 60_000,
    });
    const delivered = newHook.received[0]!;
    expect(delivered.path).toBe('/new');
    expect(signedWith('second-key', delivered)).toBe(true);
    expect(signedWith('first-key', delivered)).toBe(false);
    const body = JSON.parse(delivered.body) as {
      alerts: { status: string; rule: string; service: string }[];
    };
    expect(body.alerts.map((a) => [a.status, a.rule, a.service])).toEqual([
      ['firing', 'checkout-errors', 'checkout'],
    ]);

    // Delivered once: later ticks owe nothing more to anyone.
    const oldAttempts = oldHook.received.length;
    await new Promise((r) => setTimeout(r, 2_500));
    expect(newHook.received).toHaveLength(1);
    expect(oldHook.received).toHaveLength(oldAttempts);
    expect(refusing.received).toHaveLength(1);

    const text = await (await fetch(`http://127.0.0.1:${worker.metricsPort}/metrics`)).text();
    expect(sample(text, 'gravix_alert_evaluations_total{result="ok"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'gravix_alert_evaluations_total{result="error"}')).toBe(0);
    expect(sample(text, 'gravix_alert_evaluation_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'gravix_alert_notifications_total{channel="hook",outcome="sent"}')).toBe(1);
    expect(sample(text, 'gravix_alert_notifications_total{channel="hook",outcome="failed"}')).toBe(
      oldAttempts,
    );
    expect(sample(text, 'gravix_alert_notifications_total{channel="refusing",outcome="failed"}')).toBe(1);
    expect(sample(text, 'gravix_alert_notifications_total{channel="refusing",outcome="sent"}')).toBe(0);
    expect(sample(text, 'gravix_alert_series_firing{rule="checkout-errors"}')).toBe(1);
  }, 150_000);
});
