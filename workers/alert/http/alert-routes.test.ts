import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import { hashApiKey, type ApiKeyEntry } from '../../domain/api-keys.js';
import { DuckDbQueryEngine } from '../../query/adapters/duckdb-query-engine.js';
import { RollupManifests } from '../../query/adapters/rollup-manifests.js';
import { QueryService } from '../../query/app/query-service.js';
import { buildQueryApp } from '../../query/http/query-app.js';
import { identityOverStore } from '../../query/http/identity-routes.js';
import { staticKeys } from '../../domain/key-ring.js';
import { AlertStore } from '../adapters/alert-store.js';
import { buildStepPolicy, stepAlertStates, type AlertEvent } from '../domain/alert-state.js';
import { evaluateThreshold } from '../domain/evaluate-threshold.js';
import { makeRule, makeWindow } from '../testing/alert-fixtures.js';

const M = 60_000;

const keys: ApiKeyEntry[] = [
  { name: 'admin', tenant: 'acme', sha256: hashApiKey('admin-key'), scopes: ['query', 'admin'] },
  { name: 'viewer', tenant: 'acme', sha256: hashApiKey('viewer-key'), scopes: ['query'] },
  { name: 'operator', tenant: 'acme', sha256: hashApiKey('operator-key'), scopes: ['query', 'operator'] },
  { name: 'other', tenant: 'globex', sha256: hashApiKey('other-key'), scopes: ['query', 'admin'] },
];

describe('alert rule, alert and silence routes of the query server', () => {
  let dir: string;
  let engine: DuckDbQueryEngine;
  let server: Server;
  let base: string;
  let alerts: AlertStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gx-alert-routes-'));
    const root = join(dir, 'store');
    mkdirSync(root);
    const store = new LocalObjectStore(root);
    alerts = new AlertStore(store);
    engine = await DuckDbQueryEngine.open(root);
    const app = buildQueryApp({
      service: new QueryService(engine, new RollupManifests(store)),
      alerts,
      keys: staticKeys(keys),
      identity: identityOverStore(store, pino({ level: 'silent' })),
      log: pino({ level: 'silent' }),
      readiness: async () => ({ ready: true }),
    });
    server = await new Promise((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = async (method: string, path: string, key: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : undefined }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  it('creates, reads, lists and deletes a rule with the admin scope, the tenant taken from the key', async () => {
    const put = await call('PUT', '/alert-rules/checkout-errors', 'admin-key', {
      kind: 'threshold',
      selector: { service: 'checkout', each: 'endpoint' },
      threshold: { metric: 'error_rate', value: 5 },
    });
    expect(put.status).toBe(200);
    expect(put.body?.['selector']).toEqual({
      tenant: 'acme',
      service: 'checkout',
      method: '*',
      route: '*',
      each: 'endpoint',
    });
    expect((await call('GET', '/alert-rules/checkout-errors', 'admin-key')).body?.['name']).toBe(
      'checkout-errors',
    );
    expect((await call('GET', '/alert-rules', 'admin-key')).body?.['rules']).toHaveLength(1);
    // Another tenant's admin sees none of it.
    expect((await call('GET', '/alert-rules', 'other-key')).body).toEqual({ rules: [] });
    expect((await call('DELETE', '/alert-rules/checkout-errors', 'admin-key')).status).toBe(204);
    expect((await call('GET', '/alert-rules/checkout-errors', 'admin-key')).status).toBe(404);
  });

  it('refuses a key without the admin scope with 403', async () => {
    const res = await call('GET', '/alert-rules', 'viewer-key');
    expect(res.status).toBe(403);
    expect(res.body?.['error']).toMatchObject({
      code: 'FORBIDDEN',
      message: "the API key 'viewer' (scopes query) may not call this route: it needs 'admin'",
    });
  });

  it.each<[string, string, unknown, string, string]>([
    [
      'a kind without its block',
      'r1',
      { kind: 'slo' },
      'kind',
      'exactly the block named by kind must be set',
    ],
    [
      'another tenant in the selector',
      'r2',
      { kind: 'silence', silence: {}, selector: { tenant: 'globex' } },
      'selector.tenant',
      "selector.tenant must be the key's tenant 'acme'",
    ],
    [
      'a bad name',
      'Bad_Name',
      { kind: 'silence', silence: {} },
      'name',
      "rule name 'Bad_Name' must be a DNS label",
    ],
    [
      'a negative threshold',
      'r3',
      { kind: 'threshold', threshold: { metric: 'p95', value: -5 } },
      'threshold.value',
      'Too small',
    ],
  ])('answers %s with 400 naming the field', async (_what, name, body, field, message) => {
    const res = await call('PUT', `/alert-rules/${name}`, 'admin-key', body);
    expect(res.status).toBe(400);
    expect(res.body?.['error']?.field).toBe(field);
    expect(res.body?.['error']?.message).toContain(message);
  });

  it('answers a body that is not JSON with the API error body, not a 500', async () => {
    const res = await call('PUT', '/alert-rules/r4', 'admin-key', '{"kind": ');
    expect(res.status).toBe(400);
    expect(res.body?.['error']?.code).toBe('MALFORMED_BODY');
  });

  it.each([
    [1_764_590_440_000, 1_764_590_420_000],
    [1_764_590_400_000, 1_764_590_400_000],
    [1_764_594_000_000, 1_764_590_400_000],
  ])(
    'refuses an alert history window from %i to %i (reversed or empty) with 400 naming from',
    async (from, to) => {
      const res = await call('GET', `/alerts?from=${from}&to=${to}`, 'viewer-key');
      expect(res.status).toBe(400);
      expect(res.body?.['error']).toEqual({
        code: 'INVALID_QUERY_PARAMETER',
        field: 'from',
        message: `from must be before to (from=${from}, to=${to})`,
        request_id: expect.any(String),
      });
    },
  );

  it('lists firing series and history with the query scope', async () => {
    const t = Date.UTC(2026, 11, 1, 14, 0);
    const { state } = await alerts.loadState('acme', 'errors');
    state.series['checkout * *'] = {
      seriesId: 'checkout * *',
      key: { service: 'checkout' },
      state: 'firing',
      since: t,
      firingSince: t,
      lastSeenAt: t,
      value: '41.0%',
      expected: '> 5.00%',
      explanation: 'error rate 41.0%',
    };
    state.budgets = { 'search * *': { key: { service: 'search' }, budgetRemainingPct: 87.5, at: t } };
    await alerts.saveState(state, undefined);
    const res = await call('GET', `/alerts?from=${t - 1}&to=${t + 1}`, 'viewer-key');
    expect(res.status).toBe(200);
    expect(res.body?.['budgets']).toEqual([
      { rule: 'errors', service: 'search', method: null, path: null, budgetRemainingPct: 87.5, at: t },
    ]);
    expect(res.body?.['firing']).toEqual([
      expect.objectContaining({ rule: 'errors', service: 'checkout', since: t, value: '41.0%' }),
    ]);
    // Each rule's last evaluation carries the state and worst value kubectl shows (the alerts page's table).
    expect(res.body?.['rules']).toEqual([
      {
        rule: 'errors',
        state: 'firing',
        value: '41.0%',
        firing: 1,
        evaluatedThrough: null,
        lastEvaluationAt: null,
        error: null,
      },
    ]);
    expect((await call('GET', '/alerts?from=yesterday', 'viewer-key')).body?.['error']?.field).toBe('from');
  });

  it('answers a span that began in the history window with its resolve, also when that lies past the window', async () => {
    const t = Date.UTC(2026, 11, 2, 9, 0);
    const rule = makeRule({
      name: 'spans',
      selector: { tenant: 'acme', service: 'payments', each: 'service' },
    });
    const policy = buildStepPolicy(rule, 3_600_000);
    const window = (errors: number) => makeWindow({ service: 'payments' }, 100, errors);
    // Fires at t, resolves at t + 20 min; another series fires at t + 5 min and never resolves.
    let states = {};
    const events: AlertEvent[] = [];
    for (let m = 0; m <= 20; m++) {
      const at = t + m * M;
      const observations = evaluateThreshold(rule.threshold!, [
        window(m < 20 ? 50 : 0),
        ...(m >= 5 ? [{ ...window(50), service: 'search' }] : []),
      ]);
      const step = stepAlertStates(policy, states, observations, at);
      states = step.states;
      events.push(...step.events);
    }
    for (const e of events) await alerts.recordHistory(e);
    const history = async (from: number, to: number) =>
      (
        (await call('GET', `/alerts?from=${from}&to=${to}`, 'viewer-key')).body?.['history'] as {
          rule: string;
          service: string;
          kind: string;
          startsAt: number;
          endsAt: number | null;
        }[]
      ).filter((e) => e.rule === 'spans');
    // The window holds both starts and stops before the resolve: the resolve comes along, the open one has none.
    expect((await history(t, t + 10 * M)).map((e) => [e.service, e.kind, e.startsAt, e.endsAt])).toEqual([
      ['search', 'firing', t + 5 * M, null],
      ['payments', 'firing', t, null],
      ['payments', 'resolved', t, t + 21 * M],
    ]);
    // A window after both starts holds the resolve alone (it carries its start).
    expect((await history(t + 15 * M, t + 30 * M)).map((e) => [e.service, e.kind])).toEqual([
      ['payments', 'resolved'],
    ]);
  });

  it("answers a firing threshold series with its rule's severity, as its notification carried it", async () => {
    const t = Date.UTC(2026, 11, 3, 9, 0);
    const rule = makeRule({
      name: 'severity-of-threshold',
      severity: 'ticket',
      selector: { tenant: 'acme', service: 'billing', each: 'service' },
    });
    const policy = buildStepPolicy(rule, 3_600_000);
    let states = {};
    const events: AlertEvent[] = [];
    for (let m = 0; m < 2; m++) {
      const step = stepAlertStates(
        policy,
        states,
        evaluateThreshold(rule.threshold!, [makeWindow({ service: 'billing' }, 100, 50)]),
        t + m * M,
      );
      states = step.states;
      events.push(...step.events);
    }
    const { state, etag } = await alerts.loadState('acme', rule.name);
    await alerts.saveState({ ...state, series: states }, etag);
    const firing = (await call('GET', `/alerts?from=${t}&to=${t + 5 * M}`, 'viewer-key')).body?.[
      'firing'
    ] as {
      rule: string;
      severity: string | null;
    }[];
    expect(events.map((e) => [e.kind, e.severity])).toEqual([['firing', 'ticket']]);
    expect(firing.filter((f) => f.rule === rule.name).map((f) => f.severity)).toEqual(['ticket']);
  });

  it('refuses a silence whose matchers or comment break the text rule, naming the field', async () => {
    const expiresAt = Date.now() + 3_600_000;
    const refused = async (body: Record<string, unknown>) => {
      const res = await call('POST', '/alert-silences', 'admin-key', { expiresAt, ...body });
      return [res.status, res.body?.['error']?.code, res.body?.['error']?.field];
    };
    expect(await refused({ service: 'check\u0000out' })).toEqual([400, 'INVALID_SILENCE', 'service']);
    expect(await refused({ path: '/pay\u000a' })).toEqual([400, 'INVALID_SILENCE', 'path']);
    // A bidi override would make the silences list say something else than the silence matches.
    expect(await refused({ rule: 'errors', comment: 'ok \u202egnp.exe' })).toEqual([
      400,
      'INVALID_SILENCE',
      'comment',
    ]);
    const kept = await call('POST', '/alert-silences', 'admin-key', { expiresAt, service: 'checkout' });
    expect(kept.status).toBe(201);
    expect((await call('DELETE', `/alert-silences/${kept.body?.['id']}`, 'admin-key')).status).toBe(204);
  });

  it('creates silences with an expiry in the future and deletes them', async () => {
    const past = await call('POST', '/alert-silences', 'admin-key', { service: 'checkout', expiresAt: 1000 });
    expect(past.body?.['error']).toMatchObject({ code: 'INVALID_SILENCE', field: 'expiresAt' });
    const created = await call('POST', '/alert-silences', 'admin-key', {
      service: 'checkout',
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      comment: 'deploy',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      tenant: 'acme',
      matchers: { service: 'checkout' },
      createdBy: 'key:admin',
    });
    expect((await call('GET', '/alert-silences', 'admin-key')).body?.['silences']).toHaveLength(1);
    expect((await call('DELETE', `/alert-silences/${created.body?.['id']}`, 'admin-key')).status).toBe(204);
    expect((await call('DELETE', `/alert-silences/${created.body?.['id']}`, 'admin-key')).status).toBe(404);
  });

  it('lets an operator silence (the dashboard button) and refuses a viewer with 403', async () => {
    const body = { service: 'checkout', expiresAt: Date.now() + 3_600_000 };
    const refused = await call('POST', '/alert-silences', 'viewer-key', body);
    expect(refused.status).toBe(403);
    expect(refused.body?.['error']).toMatchObject({
      code: 'FORBIDDEN',
      message: "the API key 'viewer' (scopes query) may not call this route: it needs 'operator'",
    });
    expect((await call('GET', '/alert-silences', 'viewer-key')).status).toBe(403);
    const created = await call('POST', '/alert-silences', 'operator-key', body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ createdBy: 'key:operator', matchers: { service: 'checkout' } });
    const id = String(created.body?.['id']);
    expect((await call('DELETE', `/alert-silences/${id}`, 'viewer-key')).status).toBe(403);
    expect((await call('DELETE', `/alert-silences/${id}`, 'operator-key')).status).toBe(204);
    // Rules still decide who gets paged: an operator cannot change them.
    expect((await call('GET', '/alert-rules', 'operator-key')).status).toBe(403);
  });
});
