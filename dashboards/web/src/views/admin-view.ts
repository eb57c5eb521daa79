import { buildUsageTable } from '../domain/usage-table.js';
import { describeApiError } from '../api/api-errors.js';
import type { IdentityApi, Whoami } from '../api/identity-api.js';
import { buildAuditTable, buildKeysTable, signInErrorText } from '../domain/admin-tables.js';
import { signInHref } from '../domain/sign-in-link.js';
import { requireElement } from './require-element.js';

const DAY_MS = 86_400_000;

/** `YYYY-MM-DDTHH:MM` in local time, the value a datetime-local field takes. */
const localInput = (ms: number) => {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};

/**
 * The people-facing identity parts of the page: who is signed in, the identity provider's sign-in button and its
 * failures, sign-out, and the admin page (`#admin`: keys — create shows the secret once, list, rotate, revoke; the
 * keys file's keys listed read-only — and the audit log filtered by time and actor). The API decides who may do what; the page only shows its answers.
 */
export class AdminView {
  private readonly section = requireElement('admin', HTMLElement);
  private readonly error = requireElement('admin-error', HTMLParagraphElement);
  private readonly keysTable = requireElement('keys-table', HTMLDivElement);
  private readonly usageTable = requireElement('usage-table', HTMLDivElement);
  private readonly auditTable = requireElement('audit-table', HTMLDivElement);
  private readonly secret = requireElement('key-secret', HTMLDivElement);
  private readonly secretValue = requireElement('key-secret-value', HTMLElement);
  private readonly who = requireElement('who', HTMLSpanElement);
  private readonly adminLink = requireElement('admin-link', HTMLAnchorElement);
  private readonly signOut = requireElement('sign-out', HTMLButtonElement);
  private readonly auditFrom = requireElement('audit-from', HTMLInputElement);
  private readonly auditTo = requireElement('audit-to', HTMLInputElement);
  private readonly auditActor = requireElement('audit-actor', HTMLInputElement);

  constructor(private readonly api: IdentityApi) {}

  start(): void {
    this.showSignInOptions();
    this.signOut.addEventListener(
      'click',
      () =>
        void this.api
          .signOut()
          .then((endSessionUrl) => window.location.assign(endSessionUrl ?? '/'))
          .catch(() => window.location.assign('/')),
    );
    requireElement('key-create', HTMLFormElement).addEventListener('submit', (event) => {
      event.preventDefault();
      void this.create(event.target as HTMLFormElement);
    });
    requireElement('audit-filter', HTMLFormElement).addEventListener('submit', (event) => {
      event.preventDefault();
      void this.loadAudit();
    });
    this.keysTable.addEventListener('click', (event) => void this.keyAction(event.target));
    window.addEventListener('hashchange', () => void this.route());
    void this.route();
  }

  /** The provider's button when the server signs people in, and why the last sign-in failed. */
  private showSignInOptions(): void {
    const oidc = document.querySelector('meta[name="gravix-sign-in"]')?.getAttribute('content') === 'oidc';
    requireElement('sso', HTMLParagraphElement).hidden = !oidc;
    // The view as it is when the button is pressed (the page may have rewritten its query since it loaded).
    const link = requireElement('sso-link', HTMLAnchorElement);
    link.href = signInHref(window.location);
    link.addEventListener('click', () => (link.href = signInHref(window.location)));
    const failed = signInErrorText(window.location.hash);
    requireElement('signin-error', HTMLParagraphElement).textContent = failed ?? '';
  }

  private async route(): Promise<void> {
    const me = await this.api.whoami().catch(() => null);
    this.renderWho(me);
    const wanted = window.location.hash === '#admin';
    this.section.hidden = !wanted;
    if (!wanted) return;
    this.error.textContent = '';
    this.auditFrom.value ||= localInput(Date.now() - DAY_MS);
    this.auditTo.value ||= localInput(Date.now() + 60_000);
    await this.loadUsage();
    await this.loadKeys();
    await this.loadAudit();
  }

  private renderWho(me: Whoami | null): void {
    this.who.hidden = me === null;
    this.who.textContent = me ? `${me.actor}${me.role ? ` (${me.role})` : ''} · ${me.tenant}` : '';
    this.signOut.hidden = !me?.csrfToken;
    this.adminLink.hidden = !me?.scopes.includes('admin');
  }

  private async loadUsage(): Promise<void> {
    try {
      this.usageTable.innerHTML = buildUsageTable(await this.api.tenantUsage());
    } catch (error) {
      this.usageTable.textContent = '';
      this.error.textContent = describeApiError(error);
    }
  }

  private async loadKeys(): Promise<void> {
    try {
      const { keys, fileKeys } = await this.api.listKeys();
      this.keysTable.innerHTML = buildKeysTable(keys, fileKeys);
    } catch (error) {
      this.keysTable.textContent = '';
      this.error.textContent = describeApiError(error);
    }
  }

  private async loadAudit(): Promise<void> {
    const from = new Date(this.auditFrom.value).getTime();
    const to = new Date(this.auditTo.value).getTime();
    if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to) {
      this.auditTable.textContent = 'Choose a start before the end.';
      return;
    }
    try {
      const actor = this.auditActor.value.trim();
      const { events, truncated } = await this.api.audit({ from, to, ...(actor && { actor }) });
      this.auditTable.innerHTML = buildAuditTable(events, truncated);
    } catch (error) {
      this.auditTable.textContent = '';
      this.error.textContent = describeApiError(error);
    }
  }

  private async create(form: HTMLFormElement): Promise<void> {
    const data = new FormData(form);
    const name = String(data.get('name') ?? '').trim();
    const scopes = data.getAll('scopes').map(String);
    this.error.textContent = '';
    try {
      const created = await this.api.createKey(name, scopes);
      this.showSecret(created.secret);
      form.reset();
      await this.loadKeys();
    } catch (error) {
      this.error.textContent = describeApiError(error);
    }
  }

  private async keyAction(target: EventTarget | null): Promise<void> {
    if (!(target instanceof HTMLButtonElement)) return;
    const rotate = target.dataset['rotate'];
    const revoke = target.dataset['revoke'];
    if (!rotate && !revoke) return;
    this.error.textContent = '';
    target.disabled = true;
    try {
      if (rotate) this.showSecret((await this.api.rotateKey(rotate, 3600)).secret);
      else if (revoke && window.confirm('Revoke this key? Clients using it are refused at once.'))
        await this.api.revokeKey(revoke);
      await this.loadKeys();
    } catch (error) {
      this.error.textContent = describeApiError(error);
      target.disabled = false;
    }
  }

  /** The one time a secret is on screen: until the next create or rotate, or a reload. */
  private showSecret(secret: string): void {
    this.secretValue.textContent = secret;
    this.secret.hidden = false;
  }
}
