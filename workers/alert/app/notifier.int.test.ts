import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import { startAlertmanager, type Alertmanager } from '../../../testbin/harness/alertmanager.js';
import { waitUntil } from '../../../testbin/harness/wait-until.js';
import { AlertStore } from '../adapters/alert-store.js';
import type { ChannelDefinition } from '../adapters/notification-channels.js';
import type { AlertEvent, OutboxEntry } from '../domain/alert-state.js';
import { deliveriesPrefix } from '../domain/alert-keys.js';
import { startHttpReceiver } from '../testing/http-receiver.js';
import { AlertMetrics } from './alert-metrics.js';
import { Notifier } from './notifier.js';

const now = Date.now();
const event = (service: string, overrides: Partial<AlertEvent> = {}): AlertEvent => ({
  id: `errors|${service} * *|${now}|firing`,
  kind: 'firing',
  rule: 'errors',
  tenant: 't1',
  seriesId: `${service} * *`,
  key: { service },
  severity: 'page',
  startsAt: now - 60_000,
  at: now - 60_000,
  value: '41.0%',
  expected: '> 5.00%',
  explanation: 'error rate 41.0% over the last 5m (threshold > 5.00%)',
  ...overrides,
});
const due = (events: AlertEvent[], channel: string): OutboxEntry[] =>
  events.map((e) => ({ event: e, pending: [channel] }));

describe('notifications to real receivers', () => {
  let dir: string;
  let store: LocalObjectStore;
  let registry: Registry;
  const build = (channels: ChannelDefinition[]) => {
    registry = new Registry();
    return new Notifier({
      channels: () => channels,
      store: new AlertStore(store),
      metrics: new AlertMetrics(registry),
      log: pino({ level: 'silent' }),
      send: {
        dashboardUrl: 'http://gravix.test/',
        alertmanagerValidForMs: 300_000,
        timeoutMs: 5_000,
        now: Date.now,
      },
      attempts: 3,
      backoffMs: 10,
      giveUpAfterMs: 3_600_000,
    });
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gravix-notify-'));
    store = new LocalObjectStore(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('posts one Block Kit message to Slack for alerts that fired together', async () => {
    const slack = await startHttpReceiver();
    try {
      const notifier = build([{ name: 'oncall', type: 'slack', url: `${slack.url}/services/T0/B0/x` }]);
      const left = await notifier.deliver(due([event('checkout'), event('payments')], 'oncall'), []);
      expect(left).toEqual([]);
      expect(slack.received).toHaveLength(1);
      const body = JSON.parse(slack.received[0]!.body) as { text: string; blocks: { type: string }[] };
      expect(body.text).toBe('2 firing, 0 resolved: PAGE: errors on checkout; PAGE: errors on payments');
      expect(body.blocks.map((b) => b.type)).toEqual([
        ...['header', 'section', 'section', 'actions'],
        ...['header', 'section', 'section', 'actions'],
      ]);
      expect(JSON.stringify(body.blocks[3])).toContain('http://gravix.test/?service=checkout&from=');
    } finally {
      await slack.stop();
    }
  });

  it('signs generic webhooks with HMAC-SHA256 over timestamp and body, retries 5xx with backoff and records every attempt', async () => {
    const hook = await startHttpReceiver([503, 502]);
    try {
      const notifier = build([{ name: 'hook', type: 'webhook', url: `${hook.url}/in`, secret: 'k3y' }]);
      const left = await notifier.deliver(due([event('checkout')], 'hook'), []);
      expect(left).toEqual([]);
      expect(hook.received).toHaveLength(3);
      for (const req of hook.received) {
        const [, t, mac] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(req.headers['x-gravix-signature']))!;
        expect(mac).toBe(createHmac('sha256', 'k3y').update(`${t}.${req.body}`).digest('hex'));
        expect(Math.abs(Number(t) - Date.now() / 1000)).toBeLessThan(120);
      }
      const body = JSON.parse(hook.received[2]!.body) as { alerts: { id: string; status: string }[] };
      expect(body.alerts).toEqual([expect.objectContaining({ id: event('checkout').id, status: 'firing' })]);
      const records = await store.list(deliveriesPrefix);
      expect(records).toHaveLength(3);
      const text = await registry.getSingleMetricAsString('gravix_alert_notifications_total');
      expect(text).toContain('gravix_alert_notifications_total{channel="hook",outcome="failed"} 2');
      expect(text).toContain('gravix_alert_notifications_total{channel="hook",outcome="sent"} 1');
    } finally {
      await hook.stop();
    }
  });

  it('keeps an event owed when the receiver stays down, and does not retry a 4xx', async () => {
    const down = await startHttpReceiver([500, 500, 500, 400]);
    try {
      const notifier = build([{ name: 'hook', type: 'webhook', url: down.url, secret: 's' }]);
      const left = await notifier.deliver(due([event('checkout')], 'hook'), []);
      expect(left).toEqual([
        { event: event('checkout'), pending: ['hook'], firstTriedAt: expect.any(Number) },
      ]);
      expect(await notifier.deliver(left, [])).toEqual([]);
      expect(down.received).toHaveLength(4);
    } finally {
      await down.stop();
    }
  });

  it('sends nothing for events an unexpired silence matches', async () => {
    const hook = await startHttpReceiver();
    try {
      const notifier = build([{ name: 'hook', type: 'webhook', url: hook.url, secret: 's' }]);
      const silence = {
        id: 'x',
        tenant: 't1',
        matchers: { service: 'checkout' },
        createdAt: now,
        expiresAt: now + 3_600_000,
        comment: '',
        createdBy: 'test',
      };
      await notifier.deliver(due([event('checkout'), event('payments')], 'hook'), [silence]);
      const body = JSON.parse(hook.received[0]!.body) as { alerts: { service: string }[] };
      expect(body.alerts.map((a) => a.service)).toEqual(['payments']);
      await notifier.deliver(due([event('checkout')], 'hook'), [{ ...silence, expiresAt: Date.now() - 1 }]);
      expect(hook.received).toHaveLength(2);
    } finally {
      await hook.stop();
    }
  });

  describe('through a real Alertmanager', () => {
    let am: Alertmanager;
    let sink: Awaited<ReturnType<typeof startHttpReceiver>>;
    beforeAll(async () => {
      sink = await startHttpReceiver();
      am = await startAlertmanager(`${sink.url}/alertmanager`);
    }, 90_000);
    afterAll(async () => {
      await am?.stop();
      await sink?.stop();
    });

    interface AmWebhook {
      status: string;
      groupLabels: Record<string, string>;
      alerts: {
        status: string;
        labels: Record<string, string>;
        generatorURL: string;
        annotations: Record<string, string>;
      }[];
    }
    const notifications = () => sink.received.map((r) => JSON.parse(r.body) as AmWebhook);

    it('receives, groups by alertname and routes firing alerts, then the resolve', async () => {
      const notifier = build([{ name: 'am', type: 'alertmanager', url: am.url }]);
      expect(await notifier.deliver(due([event('checkout'), event('payments')], 'am'), [])).toEqual([]);
      await waitUntil(async () => notifications().length >= 1, {
        what: 'Alertmanager webhook (firing)',
        timeoutMs: 60_000,
      });
      const [first] = notifications();
      expect(first?.status).toBe('firing');
      expect(first?.groupLabels).toEqual({ alertname: 'errors' });
      expect(first?.alerts.map((a) => a.labels['service']).sort()).toEqual(['checkout', 'payments']);
      expect(first?.alerts[0]?.generatorURL).toMatch(/^http:\/\/gravix\.test\/\?service=/);
      expect(first?.alerts[0]?.annotations['description']).toContain('error rate 41.0%');

      const resolved = [event('checkout'), event('payments')].map((e) => ({
        ...e,
        kind: 'resolved' as const,
        endsAt: Date.now() - 1_000,
      }));
      await notifier.deliver(due(resolved, 'am'), []);
      await waitUntil(async () => notifications().some((n) => n.status === 'resolved'), {
        what: 'Alertmanager webhook (resolved)',
        timeoutMs: 60_000,
      });
      const last = notifications().at(-1)!;
      expect(last.alerts.map((a) => a.status)).toEqual(['resolved', 'resolved']);
    }, 150_000);

    it('keeps an alert judged minutes late (a catch-up, an owed retry) firing, valid for 5 minutes after the post', async () => {
      const notifier = build([{ name: 'am', type: 'alertmanager', url: am.url }]);
      // The evaluator judged a minute 10 minutes old: Alertmanager must not take the firing alert as resolved.
      const late = event('inventory', {
        id: `late|inventory * *|${now}|firing`,
        rule: 'late',
        at: Date.now() - 10 * 60_000,
      });
      const postedAt = Date.now();
      expect(await notifier.deliver(due([late], 'am'), [])).toEqual([]);
      const active = (await (
        await fetch(`${am.url}/api/v2/alerts?filter=alertname%3D%22late%22`)
      ).json()) as {
        status: { state: string };
        endsAt: string;
      }[];
      expect(active.map((a) => a.status.state)).toEqual(['active']);
      expect(Date.parse(active[0]!.endsAt)).toBeGreaterThanOrEqual(postedAt + 300_000);
    }, 60_000);
  });
});
