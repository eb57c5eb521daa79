import type { TenantUsageResponse } from '../../../../workers/query/domain/tenant-usage.js';
import type { AuditEvent } from '../../../../workers/domain/audit-event.js';
import type { FileKeyView, KeyView } from '../../../../workers/domain/managed-keys.js';
import { SessionApi } from './session-api.js';

export type { Whoami } from './session-api.js';

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
export class IdentityApi extends SessionApi {
  /** Signs out here; the provider's sign-out URL when it offers RP-initiated logout (the page goes there next). */
  async signOut(): Promise<string | undefined> {
    const answer = await this.call<{ endSessionUrl?: string } | undefined>('POST', 'auth/logout');
    return answer?.endSessionUrl;
  }

  tenantUsage(): Promise<TenantUsageResponse> {
    return this.call('GET', 'tenant-usage');
  }

  /** The managed keys, and apart the keys of the keys file (read-only here: only that file changes them). */
  listKeys(): Promise<{ keys: KeyView[]; fileKeys: FileKeyView[] }> {
    return this.call('GET', 'keys');
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
}
