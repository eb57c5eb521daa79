import type { AuditEvent } from '../../../../workers/domain/audit-event.js';
import type { KeyView } from '../../../../workers/domain/managed-keys.js';
import { ApiUnreachableError, buildApiError } from './api-errors.js';

/** `GET /api/v1/whoami`: who the page acts as; a person's session adds its role and CSRF token. */
export interface Whoami {
  tenant: string;
  actor: string;
  scopes: string[];
  role?: string;
  csrfToken?: string;
  expiresAt?: number;
}

export interface CreatedKey {
  key: KeyView;
  /** Shown once: the server keeps only its digest. */
  secret: string;
}

/**
 * The identity calls of the dashboard (whoami, sign-out, keys, the audit log). A person's session rides on its
 * HttpOnly cookie; every call that changes something carries the session's CSRF token (docs/adr/0076). A token
 * login sends its key instead and needs no CSRF token.
 */
export class IdentityApi {
  private csrf: string | null = null;

  constructor(
    private readonly baseUrl: string,
    private readonly getToken: () => string | null,
  ) {}

  async whoami(): Promise<Whoami> {
    const me = await this.call<Whoami>('GET', 'whoami');
    this.csrf = me.csrfToken ?? null;
    return me;
  }

  signOut(): Promise<void> {
    return this.call('POST', 'auth/logout');
  }

  async listKeys(): Promise<KeyView[]> {
    return (await this.call<{ keys: KeyView[] }>('GET', 'keys')).keys;
  }

  createKey(name: string, scopes: string[]): Promise<CreatedKey> {
    return this.call('POST', 'keys', { name, scopes });
  }

  rotateKey(id: string, overlapSeconds: number): Promise<CreatedKey> {
    return this.call('POST', `keys/${encodeURIComponent(id)}/rotate`, { overlapSeconds });
  }

  revokeKey(id: string): Promise<{ key: KeyView }> {
    return this.call('DELETE', `keys/${encodeURIComponent(id)}`);
  }

  audit(query: {
    from: number;
    to: number;
    actor?: string;
  }): Promise<{ events: AuditEvent[]; truncated: boolean }> {
    const q = new URLSearchParams({ from: String(query.from), to: String(query.to) });
    if (query.actor) q.set('actor', query.actor);
    return this.call('GET', `audit?${q.toString()}`);
  }

  private async call<T>(method: string, resource: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = this.getToken();
    if (token) headers['Authorization'] = `Bearer ${token}`;
    if (method !== 'GET' && this.csrf) headers['X-CSRF-Token'] = this.csrf;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/api/v1/${resource}`, {
        method,
        headers,
        credentials: 'same-origin',
        cache: 'no-store',
        ...(body !== undefined && { body: JSON.stringify(body) }),
        // Key changes are answered after they spread to every replica (~3 s, docs/adr/0069).
        signal: AbortSignal.timeout(30_000),
      });
    } catch (cause) {
      throw new ApiUnreachableError(`The query API at ${this.baseUrl} is unreachable`, { cause });
    }
    const parsed: unknown = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) throw buildApiError(response.status, parsed);
    return parsed as T;
  }
}
