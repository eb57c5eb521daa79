import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { parseTenantAuthors, TENANT_AUTHORS_FILE } from '../../../cdk8s/tenant-authors-file.js';
import type { TenantSettings } from '../../../crds/gravix-tenant-spec.js';
import type { AuditEvent } from '../../domain/audit-event.js';
import { tenantsAuditedKey } from '../../domain/identity-layout.js';
import {
  auditedTenantsSchema,
  emptyAuditedTenants,
  planTenantChanges,
  type AuditedTenants,
  type PendingTenantEvent,
  type TenantAuthorsFile,
} from '../../domain/tenant-changes.js';
import type { AuditLog } from '../identity/audit-log.js';
import { PreconditionFailedError, type ObjectStore } from '../object-store/object-store.js';

const FULL_LOOK_MS = 60_000;

export interface TenantAuditOptions {
  store: ObjectStore;
  audit: AuditLog;
  log: Logger;
  /** The tenants as this process reads them now (LiveTenants). */
  tenants: () => readonly TenantSettings[];
  /** The tenants file; its authors file (Kubernetes: who changed each GravixTenant) is read beside it if present. */
  tenantsFile: string;
  /** Where a change came from, for the audit event's `from`. */
  source: string;
  now?: () => number;
}

/**
 * Appends every tenant change (created, changed with before and after, deleted) to the audit log once, whichever
 * query replica sees it first and however often they look. Read the audited state, decide the events (pure), put
 * the new state with the events as pending by a conditional put (the one winner owns them), then append them
 * under the time and nonce the document fixed, so a second appender, or the same one after a crash, finds them
 * already there. A replica that loses the put decides again from the winner's state and finds nothing left.
 */
export class TenantAudit {
  private readonly now: () => number;
  private lastSeen = '';
  private lastFullAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: TenantAuditOptions) {
    this.now = options.now ?? Date.now;
  }

  /** One look; cheap when nothing this process sees has changed since its last look that found nothing pending. */
  async check(): Promise<number> {
    const current = this.options.tenants();
    const { tenants: authors, deleted } = this.readAuthors();
    const seen = JSON.stringify([current, authors, deleted]);
    // Now and then a full look even so: events another replica left pending (it crashed) get appended.
    if (seen === this.lastSeen && this.now() - this.lastFullAt < FULL_LOOK_MS) return 0;
    this.lastFullAt = this.now();
    for (let attempt = 0; attempt < 5; attempt++) {
      const { doc, etag } = await this.read();
      const plan = planTenantChanges({
        audited: doc,
        current,
        authors,
        deleted,
        at: this.now(),
        nonce: () => randomBytes(8).toString('hex'),
      });
      if (plan.next.pending.length === 0) {
        this.lastSeen = seen;
        return 0;
      }
      let stateEtag = etag;
      if (plan.events.length > 0) {
        stateEtag = await this.put(plan.next, etag);
        // Another replica moved the state first: decide again from its state.
        if (stateEtag === undefined) continue;
      }
      const appended = await this.appendPending(plan.next.pending);
      // Losing this put is harmless: whoever moved the state keeps these events pending and finds them present.
      await this.put({ ...plan.next, pending: [] }, stateEtag);
      this.lastSeen = seen;
      return appended;
    }
    return 0;
  }

  /** Looks every `everyMs` (and at once) until stop(); a failed look (store down) is logged and retried. */
  start(everyMs: number): this {
    const look = () =>
      this.check().catch((err: unknown) => this.options.log.warn({ err }, 'tenant changes not audited yet'));
    void look();
    this.timer = setInterval(() => void look(), everyMs).unref();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private readAuthors(): TenantAuthorsFile {
    const path = join(dirname(this.options.tenantsFile), TENANT_AUTHORS_FILE);
    if (!existsSync(path)) return { tenants: {}, deleted: {} };
    try {
      return parseTenantAuthors(readFileSync(path, 'utf8'));
    } catch (err) {
      this.options.log.warn(
        { path, err },
        'tenant authors file unreadable: changes recorded with unknown actors',
      );
      return { tenants: {}, deleted: {} };
    }
  }

  private async read(): Promise<{ doc: AuditedTenants; etag: string | undefined }> {
    const object = await this.options.store.get(tenantsAuditedKey);
    if (!object) return { doc: emptyAuditedTenants(), etag: undefined };
    return {
      doc: auditedTenantsSchema.parse(JSON.parse(new TextDecoder().decode(object.body))),
      etag: object.etag,
    };
  }

  /** Conditional put on the etag read (create-only when there was none); undefined when another replica won. */
  private async put(doc: AuditedTenants, etag: string | undefined): Promise<string | undefined> {
    try {
      const result = await this.options.store.put(
        tenantsAuditedKey,
        new TextEncoder().encode(JSON.stringify(doc)),
        {
          ...(etag === undefined ? { ifNoneMatch: '*' } : { ifMatch: etag }),
          contentType: 'application/json',
        },
      );
      return result.etag;
    } catch (error) {
      if (error instanceof PreconditionFailedError) return undefined;
      throw error;
    }
  }

  private async appendPending(pending: readonly PendingTenantEvent[]): Promise<number> {
    let appended = 0;
    for (const p of pending) {
      const event: AuditEvent = {
        at: p.at,
        tenant: p.tenant,
        actor: p.actor,
        action: 'tenant.change',
        target: p.tenant,
        from: this.options.source,
        ...(p.before !== undefined ? { before: p.before } : {}),
        ...(p.after !== undefined ? { after: p.after } : {}),
      };
      if ((await this.options.audit.appendOnce(event, p.nonce)) === 'appended') appended++;
    }
    return appended;
  }
}
