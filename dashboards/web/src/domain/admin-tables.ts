import type { AuditEvent } from '../../../../workers/domain/audit-event.js';
import type { KeyView } from '../../../../workers/domain/managed-keys.js';
import { escapeMarkup } from './escape-markup.js';

const when = (ms: number | null) =>
  ms === null ? '—' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

/**
 * The keys table of the admin page: never a secret (the API has none to give but the one in a create answer).
 * Active keys get rotate and revoke buttons that carry the key id; every value is escaped (names come from admins,
 * but a page must not trust what the API stores).
 */
export function buildKeysTable(keys: readonly KeyView[]): string {
  if (keys.length === 0) return '<p class="muted">No managed keys yet.</p>';
  const rows = keys.map((k) => {
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
  });
  return (
    '<table><thead><tr><th scope="col">Name</th><th scope="col">Id</th><th scope="col">Scopes</th>' +
    '<th scope="col">State</th><th scope="col">Created (UTC)</th><th scope="col">Expires</th>' +
    `<th scope="col">Last used</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead><tbody>${rows.join('')}</tbody></table>`
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
