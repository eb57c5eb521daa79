import type { Silence, SilenceRequest } from '../api/alerts-api.js';
import { seriesLabel, type FiringAlert } from './alert-summary.js';
import { formatDuration } from './alerts-page.js';
import { formatInstant } from './scale.js';

const HOUR = 3_600_000;

/** How long a silence from the page lasts; the first is the default (a page answered, a fix on its way). */
export const SILENCE_DURATIONS = [
  { key: '1h', label: '1 hour', ms: HOUR },
  { key: '4h', label: '4 hours', ms: 4 * HOUR },
  { key: '24h', label: '24 hours', ms: 24 * HOUR },
  { key: '7d', label: '7 days', ms: 7 * 24 * HOUR },
] as const;

/** What a silence of this alert matches, in words: "payments-errors · payments POST /charge". */
export function silenceTarget(alert: Pick<FiringAlert, 'rule' | 'service' | 'method' | 'path'>): string {
  return `${alert.rule} · ${seriesLabel(alert)}`;
}

/**
 * The silence of one firing alert: its rule and exactly its series (an absent part, a rule over everything, matches
 * any), until now + the chosen duration (an unknown choice takes the shortest).
 */
export function buildSilenceRequest(
  alert: Pick<FiringAlert, 'rule' | 'service' | 'method' | 'path'>,
  durationKey: string,
  comment: string,
  now: number,
): SilenceRequest {
  const ms = (SILENCE_DURATIONS.find((d) => d.key === durationKey) ?? SILENCE_DURATIONS[0]).ms;
  return {
    rule: alert.rule,
    ...(alert.service !== null && { service: alert.service }),
    ...(alert.method !== null && { method: alert.method }),
    ...(alert.path !== null && { path: alert.path }),
    expiresAt: now + ms,
    comment: comment.trim(),
  };
}

export interface SilenceRow {
  id: string;
  matches: string;
  expires: string;
  comment: string;
  createdBy: string;
}

/** Silences still in force, the one ending first on top; expired ones (the API keeps them) are left out. */
export function buildSilenceRows(silences: readonly Silence[], now: number, timeZone?: string): SilenceRow[] {
  return silences
    .filter((s) => s.expiresAt > now)
    .sort((a, b) => a.expiresAt - b.expiresAt || a.id.localeCompare(b.id))
    .map((s) => {
      const m = s.matchers;
      const series = seriesLabel({
        service: m.service ?? null,
        method: m.method ?? null,
        path: m.path ?? null,
      });
      const scope =
        m.service === undefined && (m.method !== undefined || m.path !== undefined)
          ? [m.method, m.path].filter(Boolean).join(' ')
          : series;
      return {
        id: s.id,
        matches: `${m.rule ?? 'every rule'} · ${scope}`,
        expires: `${formatInstant(s.expiresAt, timeZone)} (in ${formatDuration(s.expiresAt - now)})`,
        comment: s.comment,
        createdBy: s.createdBy,
      };
    });
}
