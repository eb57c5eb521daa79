import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { auditEventSchema, maxAuditEvents, type AuditEvent } from '../../domain/audit-event.js';
import { auditDayPrefix, auditEventKey, auditKeyTime } from '../../domain/identity-layout.js';
import type { ObjectStore } from '../object-store/object-store.js';

const dayMs = 86_400_000;

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
    await this.store.put(key, new TextEncoder().encode(`${JSON.stringify(event)}\n`), {
      ifNoneMatch: '*',
      contentType: 'application/json',
    });
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
