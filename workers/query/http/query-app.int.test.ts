import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import { hashApiKey } from '../../domain/api-keys.js';
import { DuckDbQueryEngine } from '../adapters/duckdb-query-engine.js';
import { RollupManifests } from '../adapters/rollup-manifests.js';
import type { FreshnessResponse, LatencyHeatmapResponse, TimeseriesResponse } from '../api-types.js';
import { loadContractData } from '../testing/query-engine.contract.js';
import type { EngineReadiness } from '../app/engine-guard.js';
import { QueryService } from '../app/query-service.js';
import { registerRollupFreshnessMetrics } from '../app/rollup-freshness-metrics.js';
import { buildQueryApp, buildQueryMetricsApp } from './query-app.js';
import { staticKeys } from '../../domain/key-ring.js';
import { identityOverStore } from './identity-routes.js';

const base = Date.parse('2026-11-20T10:00:00Z');
let server: Server;
let metricsServer: Server;
let metricsUrl: string;
let readiness: () => Promise<EngineReadiness> = async () => ({ ready: true });
let engine: DuckDbQueryEngine;
let url: string;
let loadedFrom: number;
let loadedAt: number;

beforeAll(async () => {
  const root = join(mkdtempSync(join(tmpdir(), 'gx-qapp-')), 'store');
  const store = new LocalObjectStore(root);
  loadedFrom = Date.now();
  await loadContractData(store);
  loadedAt = Date.now();
  engine = await DuckDbQueryEngine.open(root);
  const registry = new Registry();
  const manifests = new RollupManifests(store);
  registerRollupFreshnessMetrics(registry, manifests, () => base + 2 * 3_600_000);
  const app = buildQueryApp({
    service: new QueryService(engine, manifests),
    keys: staticKeys([
      { name: 'viewer', tenant: 'acme', sha256: hashApiKey('q-key'), scopes: ['query'] },
      { name: 'writer', tenant: 'acme', sha256: hashApiKey('w-key'), scopes: ['ingest'] },
    ]),
    log: pino({ level: 'silent' }),
    identity: identityOverStore(store, pino({ level: 'silent' })),
    readiness: () => readiness(),
    now: () => base + 2 * 3_600_000,
  });
  server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  metricsServer = await new Promise((r) => {
    const s = buildQueryMetricsApp(registry, pino({ level: 'silent' })).listen(0, '127.0.0.1', () => r(s));
  });
  metricsUrl = `http://127.0.0.1:${(metricsServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await new Promise((r) => metricsServer.close(r));
  await engine.close();
});

const get = (path: string, key = 'q-key') =>
  fetch(`${url}${path}`, { headers: { authorization: `Bearer ${key}` } });

describe('query API', () => {
  it('answers a timeseries for the last hour by default with a step that bounds the points', async () => {
    const res = await get('/api/v1/timeseries?service=checkout');
    expect(res.status).toBe(200);
    const body = (await res.json()) as TimeseriesResponse;
    expect(body).toMatchObject({
      from: base + 3_600_000,
      to: base + 2 * 3_600_000,
      stepMs: 60_000,
      filter: { service: 'checkout' },
    });
    expect(body.points).toHaveLength(60);
    expect(body.points.reduce((n, p) => n + p.requests, 0)).toBeGreaterThan(0);
  });

  it('answers the latency heatmap on the timeseries steps, a filter value with a quote as data', async () => {
    const range = `from=${base}&to=${base + 7_200_000}&step=30m&service=checkout`;
    const res = await get(`/api/v1/latency-heatmap?${range}`);
    expect(res.status).toBe(200);
    const heatmap = (await res.json()) as LatencyHeatmapResponse;
    const series = (await (await get(`/api/v1/timeseries?${range}`)).json()) as TimeseriesResponse;
    expect(heatmap).toMatchObject({ stepMs: 30 * 60_000, filter: { service: 'checkout' } });
    expect(heatmap.points.map((p) => [p.t, p.total])).toEqual(series.points.map((p) => [p.t, p.requests]));
    expect(heatmap.bands.length).toBeGreaterThan(1);
    const hostile = await get(`/api/v1/latency-heatmap?${range}&path=${encodeURIComponent("/x' OR 1=1 --")}`);
    expect(((await hostile.json()) as LatencyHeatmapResponse).bands).toEqual([]);
  });

  it('accepts RFC 3339 times and a step with a unit, and chooses a coarser step for a long range', async () => {
    const week = (await (
      await get(`/api/v1/timeseries?from=2026-11-13T10:00:00Z&to=2026-11-20T10:00:00Z`)
    ).json()) as TimeseriesResponse;
    expect(week.stepMs).toBe(30 * 60_000);
    const hourly = (await (
      await get(`/api/v1/timeseries?from=${base}&to=${base + 7_200_000}&step=1h&compare=7d`)
    ).json()) as TimeseriesResponse;
    expect(hourly.points.map((p) => p.t)).toEqual([base, base + 3_600_000]);
    expect(hourly.compare?.points.map((p) => p.requests)).toEqual([0, 0]);
  });

  it.each([
    [
      '/api/v1/timeseries?from=yesterday',
      'from',
      "from must be ms since epoch or an RFC 3339 time, got 'yesterday'",
    ],
    [
      '/api/v1/timeseries?step=90s',
      'step',
      "step must be a whole number of minutes from 1m to 90d (e.g. 60000, 5m, 1h), got '90s'",
    ],
    ['/api/v1/timeseries?compare=2d', 'compare', "compare must be one of 1d, 7d, got '2d'"],
    [
      '/api/v1/timeseries?method=FETCH',
      'method',
      "method must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, TRACE, CONNECT, got 'FETCH'",
    ],
    [
      '/api/v1/endpoints?sort=latency',
      'sort',
      "sort must be one of errors, error_rate, p95, requests, got 'latency'",
    ],
    ['/api/v1/endpoints?limit=0', 'limit', "limit must be an integer from 1 to 1000, got '0'"],
    ['/api/v1/exemplars?kind=failed', 'kind', "kind must be one of slowest, error, got 'failed'"],
    ['/api/v1/exemplars?limit=101', 'limit', "limit must be an integer from 1 to 100, got '101'"],
    [
      '/api/v1/exemplars?trace=1',
      'trace',
      "unknown query parameter 'trace'; /api/v1/exemplars takes service, method, path, from, to, kind, limit",
    ],
    [
      '/api/v1/latency-heatmap?step=0',
      'step',
      "step must be a whole number of minutes from 1m to 90d (e.g. 60000, 5m, 1h), got '0'",
    ],
    [
      '/api/v1/latency-heatmap?compare=1d',
      'compare',
      "unknown query parameter 'compare'; /api/v1/latency-heatmap takes service, method, path, from, to, step",
    ],
    [
      `/api/v1/services?from=${base}&to=${base - 1}`,
      'from',
      `from must be before to (from=${base}, to=${base - 1})`,
    ],
  ])('answers %s with 400 naming the field', async (path, field, message) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: 'INVALID_QUERY_PARAMETER', field, message, request_id: res.headers.get('x-request-id') },
    });
  });

  it('answers the exemplars route with an empty list for facts without trace ids, no link configured', async () => {
    const res = await get(
      `/api/v1/exemplars?from=${base}&to=${base + 3_600_000}&kind=error&service=checkout`,
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      from: base,
      to: base + 3_600_000,
      kind: 'error',
      truncated: false,
      exemplars: [],
    });
  });

  it('answers 401 without a token and 403 for an ingest-only key', async () => {
    expect((await fetch(`${url}/api/v1/services`)).status).toBe(401);
    const res = await get('/api/v1/services', 'w-key');
    expect(res.status).toBe(403);
  });

  it('lists top failing endpoints, services, events and freshness for the tenant', async () => {
    const range = `from=${base}&to=${base + 7_200_000}`;
    const endpoints = (await (await get(`/api/v1/endpoints?${range}&limit=5`)).json()) as {
      sort: string;
      endpoints: { errors5xx: number }[];
    };
    expect(endpoints.sort).toBe('errors');
    expect(endpoints.endpoints).toHaveLength(5);
    const services = (await (await get(`/api/v1/services?${range}`)).json()) as { services: unknown[] };
    expect(services.services.length).toBeGreaterThan(1);
    const events = (await (await get(`/api/v1/events?${range}`)).json()) as { events: { type: string }[] };
    expect(events.events.map((e) => e.type)).toEqual(['deploy']);
    // The dashboard's path, which a pipeline's Ingress leaves to the query service.
    expect(await (await get(`/api/v1/service-events?${range}`)).json()).toEqual(events);
    const freshness = (await (await get('/api/v1/freshness')).json()) as FreshnessResponse;
    expect(freshness.lastMetricMinute).toBeGreaterThan(base);
    // Committed while this file's beforeAll ran, on the real clock (the rollup's watermark time was pinned).
    expect(freshness.lastCommitAt).toBeGreaterThanOrEqual(loadedFrom);
    expect(freshness.lastCommitAt).toBeLessThanOrEqual(loadedAt);
    // The first API's field name answers the same, now true, commit time.
    expect(freshness.lastRollupAt).toBe(freshness.lastCommitAt);
    expect(freshness.newestEventAt).toBeGreaterThanOrEqual(freshness.lastMetricMinute!);
    expect(freshness.newestEventAt).toBeLessThan(freshness.lastMetricMinute! + 60_000);
  });
});

describe('the edge rejects bad text and numbers with 400 naming the field (issue #17)', () => {
  it.each([
    [
      '/api/v1/timeseries?service=a%00b',
      'service',
      'service must not contain control characters (U+0000 at 1)',
    ],
    ['/api/v1/timeseries?path=/a%0Ab', 'path', 'path must not contain control characters (U+000A at 2)'],
    ['/api/v1/endpoints?service=%C3%28', 'service', 'service must be percent-encoded UTF-8'],
    ['/api/v1/timeseries?path=%FF', 'path', 'path must be percent-encoded UTF-8'],
    ['/api/v1/events?service=x%7F', 'service', 'service must not contain control characters (U+007F at 1)'],
    [
      '/api/v1/timeseries?service=admin%E2%80%AEnimda',
      'service',
      'service must not contain invisible format characters (U+202E at 5)',
    ],
    [
      '/api/v1/endpoints?service=check%E2%80%8Bout',
      'service',
      'service must not contain invisible format characters (U+200B at 5)',
    ],
    [
      '/api/v1/timeseries?method=%EF%BB%BFGET',
      'method',
      'method must not contain invisible format characters (U+FEFF at 0)',
    ],
    [
      '/api/v1/timeseries?path=/a%E2%81%A6b',
      'path',
      'path must not contain invisible format characters (U+2066 at 2)',
    ],
    [
      '/api/v1/timeseries?from=8640000000000000',
      'from',
      "from must be a time from 1970-01-01 to 9999-12-31, got '8640000000000000'",
    ],
    [
      '/api/v1/services?to=99999999999999999999',
      'to',
      "to must be a time from 1970-01-01 to 9999-12-31, got '99999999999999999999'",
    ],
    [
      '/api/v1/timeseries?step=9999999999999d',
      'step',
      "step must be a whole number of minutes from 1m to 90d (e.g. 60000, 5m, 1h), got '9999999999999d'",
    ],
    ['/api/v1/endpoints?limit=1e3', 'limit', "limit must be an integer from 1 to 1000, got '1e3'"],
    [
      '/api/v1/timeseries?range=15m',
      'range',
      "unknown query parameter 'range'; /api/v1/timeseries takes service, method, path, from, to, step, compare, worst",
    ],
    [
      '/api/v1/services?service[]=a',
      'service[]',
      "unknown query parameter 'service[]'; /api/v1/services takes from, to, limit, latency",
    ],
    ['/api/v1/timeseries?service=a&service=b', 'service', 'service must be given once'],
  ])('answers %s with 400 naming the field', async (path, field, message) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: 'INVALID_QUERY_PARAMETER', field, message, request_id: res.headers.get('x-request-id') },
    });
  });
});

describe('the public port (issue #17)', () => {
  it('does not serve /metrics: it answers 404 there and the metrics port serves it', async () => {
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    expect((await fetch(`${metricsUrl}/metrics`)).status).toBe(200);
  });

  it('sends CSP, nosniff, Referrer-Policy and frame-ancestors on every answer', async () => {
    for (const path of ['/api/v1/services', '/live', '/nowhere']) {
      const res = await get(path);
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    }
  });

  it('answers /ready with 503 and the reason while the engine does not answer', async () => {
    expect((await fetch(`${url}/ready`)).status).toBe(200);
    readiness = async () => ({
      ready: false,
      reason: 'the query engine does not answer: connect ECONNREFUSED',
    });
    try {
      const res = await fetch(`${url}/ready`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        status: 'not ready',
        error: {
          code: 'ENGINE_UNAVAILABLE',
          message: 'the query engine does not answer: connect ECONNREFUSED',
          request_id: res.headers.get('x-request-id'),
        },
      });
    } finally {
      readiness = async () => ({ ready: true });
    }
  });
});

describe('query server metrics', () => {
  it('expose the rollup freshness per tenant, read from the manifests', async () => {
    const text = await (await fetch(`${metricsUrl}/metrics`)).text();
    const last = /^gravix_rollup_last_success_timestamp_seconds\{tenant="acme"\} (\d+(\.\d+)?)$/m.exec(text);
    expect(Number(last?.[1])).toBeGreaterThan(Date.parse('2026-01-01T00:00:00Z') / 1000);
    expect(text).toMatch(/^gravix_rollup_lag_seconds\{tenant="acme"\} \d/m);
  });
});
