import type { Page } from 'playwright-core';
import { hashApiKey } from '../../workers/domain/api-keys.js';
import { saveScreenshot } from './testing/dashboard-harness.js';
import {
  ADMIN_KEY,
  OPERATOR_KEY,
  OPERATOR_KEY_ENDS,
  OPERATOR_OLD_KEY,
  QUERY_KEY,
  startRealDashboard,
  type RealDashboard,
} from './testing/real-dashboard-harness.js';

interface KeysAnswer {
  keys: { id: string; name: string }[];
  fileKeys: {
    id: string;
    name: string;
    scopes: string[];
    expiresAt: number | null;
    previousUntil: number | null;
  }[];
}

/** A time as the page writes it (UTC, to the second). */
const shown = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

/** Each row of the keys table: its key id attribute, cells as text, and how many buttons it has. */
const keyRows = (page: Page) =>
  page.$$eval('#keys-table tbody tr', (rows) =>
    rows.map((r) => ({
      managed: r.getAttribute('data-key'),
      file: r.getAttribute('data-file-key'),
      cells: [...r.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? ''),
      buttons: r.querySelectorAll('button').length,
    })),
  );

/**
 * The admin page's keys in Debian Chromium against the real query server: the keys of the keys file (the harness's
 * keys, as `gravix dev`'s dev-api-key) are listed beside the keys made on the page, marked as file keys, without
 * rotate or revoke, with how to rotate them, and never with a secret or a digest.
 */
describe('admin page keys (Chromium against the real query server)', () => {
  let d: RealDashboard;
  beforeAll(async () => {
    d = await startRealDashboard([], Date.now());
  }, 300_000);
  afterAll(async () => {
    await d?.close();
  });

  it('shows the file keys read-only beside the managed keys, as GET /api/v1/keys answers them', async () => {
    const page = await d.open({ search: '#admin', token: ADMIN_KEY });
    await page.waitForSelector('#admin:not([hidden]) #keys-table tr[data-file-key]');
    const fileRows = (await keyRows(page)).filter((r) => r.file !== null);
    expect(fileRows).toEqual([
      {
        managed: null,
        file: 'file:viewer',
        cells: [
          'viewer',
          'file:viewer',
          'query',
          'file key',
          '—',
          '—',
          expect.any(String),
          'read-only (see below)',
        ],
        buttons: 0,
      },
      {
        managed: null,
        file: 'file:operator',
        cells: [
          'operator',
          'file:operator',
          'query, operator',
          `file key previous one works until ${shown(OPERATOR_KEY_ENDS.previousUntil)}`,
          '—',
          shown(OPERATOR_KEY_ENDS.expiresAt),
          expect.any(String),
          'read-only (see below)',
        ],
        buttons: 0,
      },
      {
        managed: null,
        file: 'file:admin',
        cells: [
          'admin',
          'file:admin',
          'admin',
          'file key',
          '—',
          '—',
          expect.any(String),
          'read-only (see below)',
        ],
        buttons: 0,
      },
    ]);
    // The page lists what the API lists: the tenant's file keys only (globex's key of the same file is not shown).
    const answer = (await d.call('GET', '/api/v1/keys', { key: ADMIN_KEY })).body as KeysAnswer;
    expect(fileRows.map((r) => r.file)).toEqual(answer.fileKeys.map((k) => k.id));
    // The operator's key is in a rotation by file (its old secret works for an hour more): the API answers the
    // entry's end and the old secret's, which the page showed above; the other keys have neither.
    expect(answer.fileKeys.map((k) => [k.id, k.expiresAt, k.previousUntil])).toEqual([
      ['file:viewer', null, null],
      ['file:operator', OPERATOR_KEY_ENDS.expiresAt, OPERATOR_KEY_ENDS.previousUntil],
      ['file:admin', null, null],
    ]);
    expect(await page.textContent('#file-keys-note')).toContain(
      'cannot be rotated or revoked here. To rotate one, put the new key’s SHA-256 in its entry in that file and ' +
        'move the old one under previous with a notAfter (both work until then, as one key)',
    );

    // A key made on the page is managed: it gets the buttons, the file keys still have none.
    await page.fill('#key-name', 'made-on-page');
    await page.click('#key-create button[type="submit"]');
    await page.waitForSelector('#keys-table tr[data-key] button[data-revoke]');
    const rows = await keyRows(page);
    expect(rows.map((r) => [r.managed ?? r.file, r.buttons])).toEqual([
      [expect.stringMatching(/^gk_[0-9a-f]{16}$/), 2],
      ['file:viewer', 0],
      ['file:operator', 0],
      ['file:admin', 0],
    ]);
    const secret = (await page.textContent('#key-secret-value')) ?? '';
    expect(secret).toMatch(/^gx_/);

    // Nothing on the page but the one-time secret box holds a credential: no file key's secret, no digest.
    const table = (await page.innerHTML('#keys-table')) + (await page.innerHTML('#audit-table'));
    for (const credential of [QUERY_KEY, OPERATOR_KEY, OPERATOR_OLD_KEY, ADMIN_KEY, secret])
      for (const text of [credential, hashApiKey(credential)]) expect(table).not.toContain(text);
    await saveScreenshot(page, 'admin-file-keys');
  }, 120_000);

  it('is not offered to a viewer, whose key API call is refused', async () => {
    const page = await d.open({ search: '#admin', token: QUERY_KEY });
    await page.waitForSelector('#admin-error:not(:empty)');
    expect(await page.$$('#keys-table tr[data-file-key]')).toEqual([]);
    expect(await page.isHidden('#admin-link')).toBe(true);
  }, 60_000);
});
