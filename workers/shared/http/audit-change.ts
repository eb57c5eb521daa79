import type { Request, Response } from 'express';
import type { AuditAction, AuditEvent } from '../../domain/audit-event.js';
import { credentialOf } from './authenticate.js';

/** Where audit events go: the append-only log (workers/adapters/identity/audit-log.ts). */
export interface AuditSink {
  append(event: AuditEvent): Promise<void>;
}

export interface AuditedChange {
  action: AuditAction;
  /** The object changed: a key id, a rule name, a silence id. */
  target: string;
  /** Absent for a create. */
  before?: unknown;
  /** Absent for a delete. */
  after?: unknown;
}

/**
 * Records a change made through an authenticated route: who (the caller), what, when, from where, before/after.
 * Awaited before the change is answered, so an acknowledged change is never missing from the log.
 */
export function recordChange(
  audit: AuditSink,
  req: Request,
  res: Response,
  change: AuditedChange,
  now: number,
): Promise<void> {
  const who = credentialOf(res);
  return audit.append({
    at: now,
    tenant: who.tenant,
    actor: who.actor,
    from: req.socket.remoteAddress ?? 'unknown',
    requestId: res.locals['requestId'] as string,
    ...change,
  });
}
