import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { auditEventSchema, maxAuditEvents, type AuditEvent } from '../../domain/audit-event.js';
import { auditDayPrefix, auditEventKey, auditKeyTime } from '../../domain/identity-layout.js';
import { PreconditionFailedError, type ObjectStore } from '../object-store/object-store.js';

const dayMs = 86_400_000;
const encode = (event: AuditEvent) => new TextEncoder().encode(`${JSON.stringify(event)}\n`);

/** Another event already holds an audit key this one was meant to have: never overwritten. */
export class AuditCollisionError extends Error {
  readonly code = 'AUDIT_COLLISION';
  constructor(key: string, options: { cause: unknown }) {
    super(`audit event ${key} already holds another event; not replaced`, options);
  }
}

export interface AuditQuery {
  tenant: string;
  from: number;
  to: number;
  actor?: string;
}

/**
 * The append-only audit log: every event is its own create-only object (a second writer of the same key fails
 * loudly instead of replacing it) and a line of the structured log. Appends are awaited before the change they
 * record is acknowledged, so an acknowledged change is never missing from the log.
 */
export class AuditLog {
  constructor(
    private readonly store: ObjectStore,
    private readonly log: Logger,
  ) {}

  async append(event: AuditEvent): Promise<void> {
    const key = auditEventKey(event.tenant, event.at, randomBytes(8).toString('hex'));
    this.log.info({ audit: event }, 'audit event');
    await this.store.put(key, encode(event), { ifNoneMatch: '*', contentType: 'application/json' });
  }

  /**
   * Appends an event whose time and nonce were decided elsewhere (a change several replicas may record): the same
   * event again is already there and answers quietly; another event under its key is a collision, thrown.
   */
  async appendOnce(event: AuditEvent, nonce: string): Promise<'appended' | 'present'> {
    const key = auditEventKey(event.tenant, event.at, nonce);
    const body = encode(event);
    try {
      await this.store.put(key, body, { ifNoneMatch: '*', contentType: 'application/json' });
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      const stored = await this.store.get(key);
      if (stored && Buffer.from(stored.body).equals(Buffer.from(body))) return 'present';
      throw new AuditCollisionError(key, { cause: error });
    }
    this.log.info({ audit: event }, 'audit event');
    return 'appended';
  }

  /** Events of a tenant in [from, to), oldest first, at most maxAuditEvents (`truncated` says when cut). */
  async read(query: AuditQuery): Promise<{ events: AuditEvent[]; truncated: boolean }> {
    const events: AuditEvent[] = [];
    for (let day = Math.floor(query.from / dayMs) * dayMs; day < query.to; day += dayMs) {
      for (const info of await this.store.list(auditDayPrefix(query.tenant, day))) {
        const at = auditKeyTime(info.key);
        if (at === undefined || at < query.from || at >= query.to) continue;
        const object = await this.store.get(info.key);
        if (!object) continue;
        const parsed = auditEventSchema.safeParse(JSON.parse(new TextDecoder().decode(object.body)));
        if (!parsed.success) {
          this.log.error({ key: info.key }, 'audit event unreadable');
          continue;
        }
        if (query.actor !== undefined && parsed.data.actor !== query.actor) continue;
        events.push(parsed.data);
        if (events.length > maxAuditEvents)
          return { events: events.slice(0, maxAuditEvents), truncated: true };
      }
    }
    return { events, truncated: false };
  }
}
