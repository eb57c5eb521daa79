import { createHmac } from 'node:crypto';
import type { AlertEvent } from './alert-state.js';
import { committedHorizon, minutesToEvaluate } from './committed-horizon.js';
import {
  buildAlertmanagerAlerts,
  buildDashboardLink,
  buildSlackMessage,
  signWebhookBody,
} from './notification-payloads.js';

const t0 = Date.UTC(2026, 11, 1, 14, 0);
export const firingEvent = (overrides: Partial<AlertEvent> = {}): AlertEvent => ({
  id: `errors|checkout POST /orders|${t0}|firing`,
  kind: 'firing',
  rule: 'errors',
  tenant: 't1',
  seriesId: 'checkout POST /orders',
  key: { service: 'checkout', method: 'POST', path: '/orders' },
  severity: 'page',
  startsAt: t0,
  at: t0,
  value: '41.0%',
  expected: '> 5.00%',
  explanation: 'error rate 41.0% over the last 5m (threshold > 5.00%)',
  ...overrides,
});

describe('notification payloads', () => {
  it('link the dashboard to the endpoint an hour before the alert started', () => {
    expect(buildDashboardLink('http://gravix.local/', firingEvent())).toBe(
      `http://gravix.local/?service=checkout&path=%2Forders&method=POST&from=${t0 - 3_600_000}&to=${t0 + 900_000}`,
    );
  });

  it('put service, endpoint, value and expectation in Slack fields and escape user text', () => {
    const msg = buildSlackMessage([firingEvent({ key: { service: '<!channel>' } })], 'http://g/');
    const fields = (msg.blocks[1] as { fields: { text: string }[] }).fields.map((f) => f.text);
    expect(fields).toEqual([
      '*Service*\n&lt;!channel&gt;',
      '*Endpoint*\nall',
      '*Value*\n41.0%',
      '*Expected*\n&gt; 5.00%',
    ]);
    expect(msg.text).toBe('1 firing, 0 resolved: PAGE: errors on <!channel>');
  });

  it('sign the timestamp with the body (HMAC-SHA256)', () => {
    const mac = createHmac('sha256', 's3cret').update('1700000000.{"a":1}').digest('hex');
    expect(signWebhookBody('s3cret', '{"a":1}', 1_700_000_000)).toBe(`t=1700000000,v1=${mac}`);
  });

  it('give Alertmanager labels to group on, an expiry for firing alerts and the end for resolved ones', () => {
    const [firing, resolved] = buildAlertmanagerAlerts(
      [firingEvent(), firingEvent({ kind: 'resolved', endsAt: t0 + 600_000 })],
      'http://g/',
      300_000,
      t0 + 30_000,
    );
    expect(firing?.labels).toEqual({
      alertname: 'errors',
      tenant: 't1',
      severity: 'page',
      source: 'gravix',
      service: 'checkout',
      method: 'POST',
      route: '/orders',
    });
    expect(firing?.endsAt).toBe(new Date(t0 + 330_000).toISOString());
    expect(resolved?.endsAt).toBe(new Date(t0 + 600_000).toISOString());
  });

  it('keeps a firing alert valid for its time past the post, however late its minute was judged', () => {
    const late = t0 + 12 * 60_000;
    const [firing] = buildAlertmanagerAlerts([firingEvent()], 'http://g/', 300_000, late);
    expect(firing?.endsAt).toBe(new Date(late + 300_000).toISOString());
  });
});

describe('committed minutes', () => {
  const pass = { finishedAt: t0 + 200_000, failed: 0, listedAt: t0 + 150_000, coveredUntil: t0 + 150_000 };
  it('ends where a pass listed raw/ minus the settle time, on a minute boundary', () => {
    expect(committedHorizon(pass, 75_000)).toBe(t0 + 60_000);
  });
  it('judges nothing new after a pass with failures or from a heartbeat without a listing time', () => {
    expect(committedHorizon({ ...pass, failed: 1 }, 0)).toBeUndefined();
    expect(committedHorizon({ finishedAt: t0, failed: 0 }, 0)).toBeUndefined();
  });
  it('respects a watermark that closed only whole hours', () => {
    expect(committedHorizon({ ...pass, coveredUntil: t0 }, 0)).toBe(t0);
  });
  it('evaluates each new minute once and catches up at most catchUp minutes', () => {
    expect(minutesToEvaluate(null, t0 + 180_000, 10)).toEqual([t0 + 120_000]);
    expect(minutesToEvaluate(t0, t0 + 180_000, 10)).toEqual([t0 + 60_000, t0 + 120_000]);
    expect(minutesToEvaluate(t0 + 120_000, t0 + 180_000, 10)).toEqual([]);
    expect(minutesToEvaluate(t0 - 3_600_000, t0 + 180_000, 2)).toEqual([t0 + 60_000, t0 + 120_000]);
  });
});
