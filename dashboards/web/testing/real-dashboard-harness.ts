import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { pino } from 'pino';
import { LocalObjectStore } from '../../../workers/adapters/object-store/local-object-store.js';
import { hashApiKey, parseApiKeys } from '../../../workers/domain/api-keys.js';
import type { RawRecord } from '../../../workers/domain/raw-record.js';
import { DuckDbQueryEngine } from '../../../workers/query/adapters/duckdb-query-engine.js';
import { buildQueryApp } from '../../../workers/query/http/query-app.js';
import { QueryService } from '../../../workers/query/app/query-service.js';
import { parseTraceUrlTemplate } from '../../../workers/query/domain/trace-url-template.js';
import { RollupManifests } from '../../../workers/query/adapters/rollup-manifests.js';
import { chunk, putRawSegment } from '../../../workers/rollup/testing/raw-segments.js';
import { runRollupOnce } from '../../../workers/rollup/app/run-rollup-once.js';
import { launchChromium } from '../../../testbin/harness/chromium.js';
import { buildDashboardAssets, type OpenOptions } from './dashboard-harness.js';
import { DAY, HOUR } from './incident-dataset.js';
import { staticKeys } from '../../../workers/domain/key-ring.js';
import { identityOverStore } from '../../../workers/query/http/identity-routes.js';
import { SavedViewStore } from '../../../workers/query/adapters/saved-view-store.js';
import { AlertStore } from '../../../workers/alert/adapters/alert-store.js';

export const QUERY_KEY = 'dash-query-key';
/** An operator's key of the same tenant: saves, renames and deletes saved views. */
export const OPERATOR_KEY = 'dash-operator-key';
/** An admin's key of the same tenant: the admin page (keys, usage, audit log). */
export const ADMIN_KEY = 'dash-admin-key';

/**
 * The dashboard against the REAL query server: raw facts written as sealed segments, rolled up by the real rollup
 * into Parquet, served by buildQueryApp + QueryService over DuckDB, and driven in Debian Chromium. What the page
 * shows is production response shaping and percentiles, not a stand-in's.
 */
export interface RealDashboard {
  url: string;
  browser: Browser;
  store: LocalObjectStore;
  /** The query server's engine: a real alert evaluator reads through it as `gravix dev`'s does. */
  engine: DuckDbQueryEngine;
  open(options?: OpenOptions): Promise<Page>;
  /** Fetches an API answer the way the page does, to compare what it shows with what the server said. */
  api<T>(path: string): Promise<T>;
  /** One call with a key of the tenant (the viewer's by default): status and parsed body, errors included. */
  call(method: string, path: string, options?: { key?: string; body?: unknown }): Promise<CallAnswer>;
  /** Stops the HTTP server (the "API down" state); `restart` brings it back on the same port. */
  stopServer(): Promise<void>;
  restartServer(): Promise<void>;
  close(): Promise<void>;
}

export interface CallAnswer {
  status: number;
  body: unknown;
}

export interface RealDashboardOptions {
  /** Serve the alert routes over the store's alert state (the real AlertStore), as `gravix dev` does. */
  alerts?: boolean;
  /** Ingest port the query server tells the dashboard (the empty state's curl), as `gravix dev` does. */
  ingestPort?: number;
  /** GRAVIX_TRACE_URL_TEMPLATE of the query server: exemplars get trace links. */
  traceUrlTemplate?: string;
}

/**
 * Writes `records` as raw segments (one per hour and 500 records) and runs one real rollup pass at `now`. Without
 * `now` the pass runs on the real clock and its heartbeat says what it covered, which the alert evaluator needs
 * (a pass pinned to another clock says nothing about the present). `ingester` keeps a later call's segments apart.
 */
export async function rollUp(
  store: LocalObjectStore,
  records: readonly RawRecord[],
  now: number | undefined,
  ingester = 'ing-0',
): Promise<void> {
  const byHour = new Map<number, RawRecord[]>();
  for (const r of records) {
    const hour = Math.floor(r.ts / HOUR);
    byHour.set(hour, [...(byHour.get(hour) ?? []), r]);
  }
  let seq = 0;
  for (const hourRecords of byHour.values()) {
    for (const part of chunk(hourRecords, 500)) await putRawSegment(store, part, { ingester, seq: ++seq });
  }
  await runRollupOnce({
    store,
    ...(now === undefined ? {} : { nowMs: now }),
    latenessMs: 0,
    includeOpen: true,
    rawRetentionMs: 365 * DAY,
    metricsRetentionMs: 365 * DAY,
    applyRetention: false,
  });
}

/** The harness's keys file's times, whole seconds as an RFC 3339 file gives them. */
const fileTimesFrom = Math.floor(Date.now() / 1000) * 1000;
/**
 * The operator's key is in a rotation by file: its entry ends in 30 days (`notAfter`, listed as expiresAt) and its
 * old secret works for one more hour (`previous`, listed as previousUntil), so the admin page shows both.
 */
export const OPERATOR_KEY_ENDS = { expiresAt: fileTimesFrom + 30 * DAY, previousUntil: fileTimesFrom + HOUR };
export const OPERATOR_OLD_KEY = 'dash-operator-key-old';

/** The harness's keys file, read by the real parser as a server reads GRAVIX_API_KEYS_FILE. */
const harnessKeys = parseApiKeys(
  JSON.stringify({
    keys: [
      { name: 'viewer', tenant: 'acme', sha256: hashApiKey(QUERY_KEY), scopes: ['query'] },
      {
        name: 'operator',
        tenant: 'acme',
        sha256: hashApiKey(OPERATOR_KEY),
        scopes: ['query', 'operator'],
        notAfter: new Date(OPERATOR_KEY_ENDS.expiresAt).toISOString(),
        previous: [
          {
            sha256: hashApiKey(OPERATOR_OLD_KEY),
            notAfter: new Date(OPERATOR_KEY_ENDS.previousUntil).toISOString(),
          },
        ],
      },
      { name: 'admin', tenant: 'acme', sha256: hashApiKey(ADMIN_KEY), scopes: ['admin'] },
      // Another tenant's key of the same file: never listed to acme's admin.
      { name: 'globex-ingest', tenant: 'globex', sha256: hashApiKey('globex-key'), scopes: ['ingest'] },
    ],
  }),
);

function buildService(engine: DuckDbQueryEngine, store: LocalObjectStore, options: RealDashboardOptions) {
  const template = options.traceUrlTemplate;
  const traceUrl = template === undefined ? {} : { traceUrl: parseTraceUrlTemplate(template) };
  return new QueryService(engine, new RollupManifests(store), traceUrl);
}

async function callApi(
  url: string,
  method: string,
  path: string,
  o: { key?: string; body?: unknown },
): Promise<CallAnswer> {
  const headers: Record<string, string> = { authorization: `Bearer ${o.key ?? QUERY_KEY}` };
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${url}${path}`, {
    method,
    headers,
    ...(o.body !== undefined && { body: JSON.stringify(o.body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
}

function buildApp(
  engine: DuckDbQueryEngine,
  store: LocalObjectStore,
  options: RealDashboardOptions,
  assetsDir: string,
) {
  return buildQueryApp({
    service: buildService(engine, store, options),
    keys: staticKeys(harnessKeys),
    views: new SavedViewStore(store),
    ...(options.alerts && { alerts: new AlertStore(store) }),
    log: pino({ level: 'silent' }),
    // The harness's keys are its keys file, as `gravix dev`'s dev-api-key is: the key API lists them as fileKeys.
    identity: { ...identityOverStore(store, pino({ level: 'silent' })), fileKeys: async () => harnessKeys },
    readiness: async () => ({ ready: true }),
    dashboardDir: assetsDir,
    dashboardIngestPort: options.ingestPort,
  });
}

export async function startRealDashboard(
  records: readonly RawRecord[],
  now: number,
  options: RealDashboardOptions = {},
): Promise<RealDashboard> {
  const assetsDir = buildDashboardAssets();
  const root = join(mkdtempSync(join(tmpdir(), 'gx-dash-')), 'store');
  const store = new LocalObjectStore(root);
  if (records.length > 0) await rollUp(store, records, now);
  const engine = await DuckDbQueryEngine.open(root);
  const app = buildApp(engine, store, options, assetsDir);
  let server: Server | null = null;
  let port = 0;
  const listen = () =>
    new Promise<Server>((resolve) => {
      const s = app.listen(port, '127.0.0.1', () => resolve(s));
    });
  server = await listen();
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  const stop = async () => {
    if (!server) return;
    const s = server;
    server = null;
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  };
  return {
    url,
    browser,
    store,
    engine,
    async open(o = {}) {
      const context = await browser.newContext({
        viewport: o.viewport ?? { width: 1280, height: 900 },
        timezoneId: 'UTC',
      });
      contexts.push(context);
      const token = o.token === undefined ? QUERY_KEY : o.token;
      if (token !== null) {
        await context.addInitScript((t) => {
          if (!sessionStorage.getItem('seeded')) {
            localStorage.setItem('gravix.token', t);
            sessionStorage.setItem('seeded', '1');
          }
        }, token);
      }
      const page = await context.newPage();
      await o.beforeLoad?.(page);
      await page.goto(`${url}/${o.search ?? ''}`, { waitUntil: o.waitUntil ?? 'load' });
      return page;
    },
    async api<T>(path: string) {
      const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${QUERY_KEY}` } });
      if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    call: (method, path, o = {}) => callApi(url, method, path, o),
    stopServer: stop,
    async restartServer() {
      server ??= await listen();
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      await stop();
      await engine.close();
    },
  };
}
