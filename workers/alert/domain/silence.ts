import { z } from 'zod';
import { textRuleString } from '../../domain/text-rule-schema.js';
import type { AlertEvent } from './alert-state.js';

/** An operator's silence: events it matches are not sent until it expires (their state is still tracked). */
// Matchers and the comment are shown in the dashboard's silences list and the audit log: the one text rule, so no
// control or invisible format character (a bidi override) makes them read otherwise than they match.
export const silenceBodySchema = z.object({
  rule: textRuleString(63).min(1).optional(),
  service: textRuleString(256).min(1).optional(),
  method: textRuleString(16).min(1).optional(),
  path: textRuleString(2048).min(1).optional(),
  expiresAt: z.union([z.number().int().positive(), z.iso.datetime({ offset: true })]),
  comment: textRuleString(1024).default(''),
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
