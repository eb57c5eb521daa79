import type { Silence } from '../api/alerts-api.js';
import { buildSilenceRequest, buildSilenceRows, silenceTarget } from './silence-form.js';

const t = Date.UTC(2026, 10, 20, 14, 0);
const alert = { rule: 'payments-errors', service: 'payments', method: 'POST', path: '/charge' };
const silence = (overrides: Partial<Silence>): Silence => ({
  id: 's1',
  tenant: 'acme',
  matchers: { rule: 'payments-errors', service: 'payments', method: 'POST', path: '/charge' },
  createdAt: t,
  expiresAt: t + 3_600_000,
  comment: 'card processor fix rolling out',
  createdBy: 'user:ann@example.com',
  ...overrides,
});

describe('silencing an alert from the page', () => {
  it('silences exactly the alert’s rule and series for the chosen duration, comment trimmed', () => {
    expect(buildSilenceRequest(alert, '4h', '  card processor fix  ', t)).toEqual({
      ...alert,
      expiresAt: t + 4 * 3_600_000,
      comment: 'card processor fix',
    });
    expect(silenceTarget(alert)).toBe('payments-errors · payments POST /charge');
  });

  it('leaves out the parts a rule over everything has none of, and takes an hour for an unknown duration', () => {
    const all = { rule: 'traffic', service: null, method: null, path: null };
    expect(buildSilenceRequest(all, 'forever', '', t)).toEqual({
      rule: 'traffic',
      expiresAt: t + 3_600_000,
      comment: '',
    });
  });

  it('lists silences in force, the one ending first on top, with when they end', () => {
    const rows = buildSilenceRows(
      [
        silence({ id: 'late', expiresAt: t + 24 * 3_600_000 }),
        silence({ id: 'gone', expiresAt: t - 1 }),
        silence({ id: 'soon', expiresAt: t + 58 * 60_000, matchers: { service: 'search' } }),
      ],
      t,
      'UTC',
    );
    expect(rows.map((r) => [r.id, r.matches, r.expires])).toEqual([
      ['soon', 'every rule · search', '20 Nov 2026, 14:58 (in 58 min)'],
      ['late', 'payments-errors · payments POST /charge', '21 Nov 2026, 14:00 (in 24 h)'],
    ]);
  });
});
