import type { AuditEvent } from '../../../../workers/domain/audit-event.js';
import type { FileKeyView, KeyView } from '../../../../workers/domain/managed-keys.js';
import { buildAuditTable, buildKeysTable, signInErrorText } from './admin-tables.js';

const key = (overrides: Partial<KeyView> = {}): KeyView => ({
  id: 'gk_0123456789abcdef',
  name: 'ci',
  scopes: ['ingest'],
  createdAt: Date.UTC(2026, 0, 2, 3, 4, 5),
  createdBy: 'user:a@example.com',
  expiresAt: null,
  revokedAt: null,
  lastUsedAt: null,
  state: 'active',
  rotatedFrom: null,
  rotatedTo: null,
  ...overrides,
});

describe('buildKeysTable', () => {
  it('lists a key with rotate and revoke buttons while it is active, and never a secret field', () => {
    const html = buildKeysTable([key()]);
    expect(html).toContain('data-rotate="gk_0123456789abcdef"');
    expect(html).toContain('data-revoke="gk_0123456789abcdef"');
    expect(html).toContain('2026-01-02 03:04:05');
    expect(html).not.toMatch(/secret|sha256/i);
  });

  it('offers no actions on a revoked key', () => {
    expect(buildKeysTable([key({ state: 'revoked', revokedAt: 1 })])).not.toContain('data-revoke');
  });

  it('escapes a name that carries markup', () => {
    expect(buildKeysTable([key({ name: '<img src=x onerror=alert(1)>' })])).toContain('&lt;img src=x');
  });

  it('says so when there are no keys', () => {
    expect(buildKeysTable([], [])).toBe('<p class="muted">No keys yet.</p>');
  });

  const fileKey = (overrides: Partial<FileKeyView> = {}): FileKeyView => ({
    id: 'file:dev-api-key',
    name: 'dev-api-key',
    scopes: ['ingest', 'query', 'admin'],
    source: 'file',
    lastUsedAt: Date.UTC(2026, 0, 2, 3, 4, 5),
    expiresAt: null,
    previousUntil: null,
    ...overrides,
  });

  it('lists file keys after the managed ones, marked as file keys, without buttons, with how to rotate them', () => {
    const html = buildKeysTable([key()], [fileKey()]);
    const row = /<tr data-file-key="file:dev-api-key"[^]*?<\/tr>/.exec(html)?.[0] ?? '';
    expect(row).toContain('<td>dev-api-key</td>');
    expect(row).toContain('<span class="key-source">file key</span>');
    expect(row).toContain('ingest, query, admin');
    expect(row).toContain('2026-01-02 03:04:05');
    expect(row).not.toContain('<button');
    expect(html.indexOf('data-key="gk_')).toBeLessThan(html.indexOf('data-file-key'));
    expect(html).toContain(
      'cannot be rotated or revoked here. To rotate one, put the new key’s SHA-256 in its entry in that file and ' +
        'move the old one under <code>previous</code> with a <code>notAfter</code>',
    );
    // No value column can hold a secret or a digest: the table has none (the note below names the Secret).
    expect(html.split('<p id="file-keys-note"')[0]).not.toMatch(/secret|sha256/i);
  });

  it("shows a file key's end and, during a rotation by file, when the previous one stops working", () => {
    const row = buildKeysTable(
      [],
      [fileKey({ expiresAt: Date.UTC(2027, 0, 1), previousUntil: Date.UTC(2026, 11, 4, 20) })],
    );
    expect(row).toContain('<td>2027-01-01 00:00:00</td>');
    expect(row).toContain('previous one works until 2026-12-04 20:00:00');
    expect(buildKeysTable([], [fileKey()])).not.toContain('previous one works');
  });

  it('shows file keys alone when no key was made through the API, and escapes their names', () => {
    const html = buildKeysTable([], [fileKey({ id: 'file:<b>', name: '<b>x</b>' })]);
    expect(html.startsWith('<p class="muted">No managed keys yet.</p><table>')).toBe(true);
    expect(html).toContain('<td>&lt;b&gt;x&lt;/b&gt;</td>');
    expect(html).not.toContain('<b>x');
  });
});

describe('buildAuditTable', () => {
  const event = (at: number, overrides: Partial<AuditEvent> = {}): AuditEvent => ({
    at,
    tenant: 't',
    actor: 'user:a@example.com',
    action: 'key.create',
    from: '127.0.0.1',
    ...overrides,
  });

  it('puts the newest event first and shows before -> after', () => {
    const html = buildAuditTable(
      [event(1000), event(2000, { action: 'key.revoke', before: { s: 'active' }, after: { s: 'revoked' } })],
      false,
    );
    expect(html.indexOf('key.revoke')).toBeLessThan(html.indexOf('key.create'));
    expect(html).toContain('{&quot;s&quot;:&quot;active&quot;} → {&quot;s&quot;:&quot;revoked&quot;}');
  });

  it('shows the reason of a failed sign-in and escapes actors', () => {
    const html = buildAuditTable(
      [event(1, { action: 'signin.failed', actor: '<b>x</b>', reason: 'NO_ROLE: none' })],
      true,
    );
    expect(html).toContain('NO_ROLE: none');
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(html).toContain('Only the first 1000 events');
  });
});

describe('signInErrorText', () => {
  it('explains a known code and names an unknown one', () => {
    expect(signInErrorText('#signin-error=NO_ROLE')).toMatch(/none of your groups/);
    expect(signInErrorText('#signin-error=WHATEVER')).toBe('Sign-in failed (WHATEVER).');
  });

  it('ignores any other fragment, including markup', () => {
    expect(signInErrorText('#keys')).toBeNull();
    expect(signInErrorText('#signin-error=<script>')).toBeNull();
  });
});
