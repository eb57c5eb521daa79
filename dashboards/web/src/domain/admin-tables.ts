import type { AuditEvent } from '../../../../workers/domain/audit-event.js';
import type { FileKeyView, KeyView } from '../../../../workers/domain/managed-keys.js';
import { escapeMarkup } from './escape-markup.js';

const when = (ms: number | null) =>
  ms === null ? '—' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

function managedKeyRow(k: KeyView): string {
  const id = escapeMarkup(k.id);
  const actions =
    k.state === 'active'
      ? `<button type="button" data-rotate="${id}">Rotate</button> <button type="button" data-revoke="${id}">Revoke</button>`
      : '';
  return (
    `<tr data-key="${id}"><td>${escapeMarkup(k.name)}</td><td><code>${id}</code></td>` +
    `<td>${escapeMarkup(k.scopes.join(', '))}</td><td>${escapeMarkup(k.state)}</td>` +
    `<td>${when(k.createdAt)}</td><td>${when(k.expiresAt)}</td><td>${when(k.lastUsedAt)}</td><td>${actions}</td></tr>`
  );
}

/** A key of the keys file: marked as such, no buttons (the API cannot change it), a pointer to how it changes. */
function fileKeyRow(k: FileKeyView): string {
  const id = escapeMarkup(k.id);
  return (
    `<tr data-file-key="${id}" class="file-key" aria-describedby="file-keys-note"><td>${escapeMarkup(k.name)}</td><td><code>${id}</code></td>` +
    `<td>${escapeMarkup(k.scopes.join(', '))}</td><td><span class="key-source">file key</span>` +
    (k.previousUntil === null
      ? ''
      : ` <span class="key-previous">previous one works until ${when(k.previousUntil)}</span>`) +
    `</td><td>—</td><td>${when(k.expiresAt)}</td><td>${when(k.lastUsedAt)}</td>` +
    '<td class="muted">read-only (see below)</td></tr>'
  );
}

const fileKeysNote =
  '<p id="file-keys-note" class="muted">File keys come from the keys file (<code>GRAVIX_API_KEYS_FILE</code>: on ' +
  'Kubernetes the <code>&lt;pipeline&gt;-api-keys</code> Secret, in <code>gravix dev</code> ' +
  '<code>.gravix-data/api-keys.json</code>) and cannot be rotated or revoked here. To rotate one, put the new ' +
  'key’s SHA-256 in its entry in that file and move the old one under <code>previous</code> with a ' +
  '<code>notAfter</code> (both work until then, as one key): every server ' +
  're-reads the file within seconds of it changing (on Kubernetes after the kubelet’s next sync, about a ' +
  'minute).</p>';

/**
 * The keys table of the admin page: never a secret or a digest (the API has none to give but the secret in a create
 * answer). Active managed keys get rotate and revoke buttons that carry the key id; the keys file's keys follow,
 * marked as file keys, without buttons, with a note on how to rotate them. Every value is escaped (names come from
 * admins and deployers, but a page must not trust what the API stores).
 */
export function buildKeysTable(keys: readonly KeyView[], fileKeys: readonly FileKeyView[] = []): string {
  if (keys.length === 0 && fileKeys.length === 0) return '<p class="muted">No keys yet.</p>';
  const rows = [...keys.map(managedKeyRow), ...fileKeys.map(fileKeyRow)];
  const none = keys.length === 0 ? '<p class="muted">No managed keys yet.</p>' : '';
  return (
    `${none}<table><thead><tr><th scope="col">Name</th><th scope="col">Id</th><th scope="col">Scopes</th>` +
    '<th scope="col">State</th><th scope="col">Created (UTC)</th><th scope="col">Expires</th>' +
    `<th scope="col">Last used</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead><tbody>${rows.join('')}</tbody></table>` +
    (fileKeys.length > 0 ? fileKeysNote : '')
  );
}

/** One audit event's change as short text: before -> after, cut so one row stays one row. */
function change(event: AuditEvent): string {
  const show = (v: unknown) => (v === undefined ? '' : JSON.stringify(v));
  const text = [show(event.before), show(event.after)].filter(Boolean).join(' → ');
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** The audit log table, newest first. */
export function buildAuditTable(events: readonly AuditEvent[], truncated: boolean): string {
  if (events.length === 0) return '<p class="muted">No audit events in this range.</p>';
  const rows = [...events]
    .reverse()
    .map(
      (e) =>
        `<tr><td>${when(e.at)}</td><td>${escapeMarkup(e.actor)}</td><td>${escapeMarkup(e.action)}</td>` +
        `<td>${escapeMarkup(e.target ?? '')}</td><td>${escapeMarkup(e.from)}</td>` +
        `<td class="audit-change">${escapeMarkup(e.reason ?? change(e))}</td></tr>`,
    );
  const cut = truncated ? '<p class="muted">Only the first 1000 events of the range are shown.</p>' : '';
  return (
    '<table><thead><tr><th scope="col">When (UTC)</th><th scope="col">Who</th><th scope="col">What</th>' +
    '<th scope="col">Object</th><th scope="col">From</th><th scope="col">Change</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table>${cut}`
  );
}

/** What a failed sign-in's code (the callback's `#signin-error=` fragment) means to the person. */
export function signInErrorText(hash: string): string | null {
  const match = /^#signin-error=([A-Z_]{1,40})$/.exec(hash);
  if (!match) return null;
  const texts: Record<string, string> = {
    NO_ROLE:
      'You signed in, but none of your groups gives you a role in Gravix. Ask an admin to add your group.',
    SIGN_IN_EXPIRED: 'The sign-in took too long. Please try again.',
    SIGN_IN_NOT_STARTED: 'That sign-in link was not started from this browser. Please sign in again.',
    PROVIDER_REFUSED: 'The identity provider refused the sign-in.',
    SIGN_IN_FAILED: 'The identity provider’s answer could not be verified. Please try again.',
    SIGN_IN_THROTTLED:
      'Too many failed sign-ins from here or for this account. Please wait a few minutes, then try again.',
  };
  return texts[match[1]!] ?? `Sign-in failed (${match[1]!}).`;
}
