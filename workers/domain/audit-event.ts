import { z } from 'zod';

/**
 * One entry of the audit log: who did what to which object, when, from where, and the object before and after.
 * Written once, never changed (workers/adapters/identity/audit-log.ts).
 */
export const auditActions = [
  'key.create',
  'key.rotate',
  'key.revoke',
  'auth.refused',
  'signin',
  'signin.failed',
  'signout',
  'rule.change',
  'silence.change',
  'view.change',
  'tenant.change',
] as const;
export type AuditAction = (typeof auditActions)[number];

export const auditEventSchema = z.object({
  at: z.number().int(),
  tenant: z.string(),
  /** `key:<name>` or `user:<subject>`; `anonymous` when nothing identified the caller. */
  actor: z.string(),
  action: z.enum(auditActions),
  /** The object acted on: a key id, a rule name, ... */
  target: z.string().optional(),
  /** The client's address as the server saw it. */
  from: z.string(),
  requestId: z.string().optional(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  /** Why, for refusals. */
  reason: z.string().optional(),
});
export type AuditEvent = z.infer<typeof auditEventSchema>;

/** The longest range one audit read may cover: one listing per day, so a bound keeps a read cheap. */
export const maxAuditRangeMs = 31 * 86_400_000;
export const maxAuditEvents = 1000;
