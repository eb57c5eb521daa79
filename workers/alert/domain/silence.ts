import { z } from 'zod';
import type { AlertEvent } from './alert-state.js';

/** An operator's silence: events it matches are not sent until it expires (their state is still tracked). */
export const silenceBodySchema = z.object({
  rule: z.string().min(1).max(63).optional(),
  service: z.string().min(1).max(256).optional(),
  method: z.string().min(1).max(16).optional(),
  path: z.string().min(1).max(2048).optional(),
  expiresAt: z.union([z.number().int().positive(), z.iso.datetime({ offset: true })]),
  comment: z.string().max(1024).default(''),
});

export interface Silence {
  id: string;
  tenant: string;
  matchers: { rule?: string; service?: string; method?: string; path?: string };
  createdAt: number;
  expiresAt: number;
  comment: string;
  createdBy: string;
}

export function silenceMatches(s: Silence, e: AlertEvent, now: number): boolean {
  if (s.expiresAt <= now || s.tenant !== e.tenant) return false;
  const m = s.matchers;
  return (
    (m.rule === undefined || m.rule === e.rule) &&
    (m.service === undefined || m.service === e.key.service) &&
    (m.method === undefined || m.method === e.key.method) &&
    (m.path === undefined || m.path === e.key.path)
  );
}
