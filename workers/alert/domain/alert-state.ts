import { parseDurationMs, type NamedAlertRule } from '../../../crds/gravix-alert-rule-spec.js';
import type { Observation } from './observation.js';
import type { SeriesKey } from './series-window.js';

/** A series that is breaching: pending until its condition held for `for`, then firing until it clears. */
export interface SeriesState {
  seriesId: string;
  key: SeriesKey;
  state: 'pending' | 'firing';
  /** Start of the first breaching minute of this episode (ms). */
  since: number;
  firingSince?: number;
  /**
   * A firing series whose condition has cleared: the start of its first clear minute. It resolves once clear for
   * the rule's resolve window; breaching again before that continues the same episode (ADR 0117). Absent in
   * states saved before it existed, which reads as "not clearing": no migration is needed.
   */
  clearSince?: number;
  lastNotifiedAt?: number;
  /** Start of the newest minute that had data for the series. */
  lastSeenAt: number;
  value: string;
  expected: string;
  explanation: string;
  severity?: 'page' | 'ticket' | 'info';
  budgetRemainingPct?: number;
}

export type AlertEventKind = 'firing' | 'repeat' | 'resolved';

/** A decision to notify; its id is stable across restarts so receivers (and our own outbox) can deduplicate. */
export interface AlertEvent {
  id: string;
  kind: AlertEventKind;
  rule: string;
  tenant: string;
  seriesId: string;
  key: SeriesKey;
  severity: 'page' | 'ticket' | 'info';
  /** When the alert started firing (ms) and, for resolved, when it cleared. */
  startsAt: number;
  endsAt?: number;
  /** The evaluated minute that decided it. */
  at: number;
  value: string;
  expected: string;
  explanation: string;
}

export interface StepPolicy {
  rule: string;
  tenant: string;
  severity: 'page' | 'ticket' | 'info';
  forMs: number;
  /** How long a firing series' condition must stay clear before it resolves (1m = the first clear minute). */
  resolveMs: number;
  repeatMs: number;
  /** A firing series with no data at all for this long resolves (its endpoint is gone). */
  staleMs: number;
}

const minuteMs = 60_000;

/** The state machine's settings for one rule: `for` of the kinds that have one (1m = the first breaching minute). */
export function buildStepPolicy(rule: NamedAlertRule, staleMs: number): StepPolicy {
  return {
    rule: rule.name,
    tenant: rule.selector.tenant,
    severity: rule.severity,
    forMs: parseDurationMs(rule.threshold?.for ?? rule.anomaly?.for ?? '1m'),
    resolveMs: parseDurationMs(rule.threshold?.resolveAfter ?? rule.anomaly?.resolveAfter ?? '1m'),
    repeatMs: parseDurationMs(rule.repeatInterval),
    staleMs,
  };
}

/**
 * An event's id: one episode of one series (rule, series, start) and the kind, plus the minute for repeats. The
 * resolve of a firing event is found by it (the history read pairs a span's start with its end).
 */
export function alertEventId(
  rule: string,
  seriesId: string,
  startsAt: number,
  kind: AlertEventKind,
  at?: number,
): string {
  return `${rule}|${seriesId}|${startsAt}|${kind}${kind === 'repeat' ? `|${at}` : ''}`;
}

function event(policy: StepPolicy, s: SeriesState, kind: AlertEventKind, at: number): AlertEvent {
  const startsAt = s.firingSince ?? s.since;
  const base = {
    id: alertEventId(policy.rule, s.seriesId, startsAt, kind, at),
    kind,
    rule: policy.rule,
    tenant: policy.tenant,
    seriesId: s.seriesId,
    key: s.key,
    severity: s.severity ?? policy.severity,
    startsAt,
    at,
    value: s.value,
    expected: s.expected,
    explanation: s.explanation,
  };
  // The span ends with the first clear minute, however long the resolve window made the resolve wait.
  return kind === 'resolved' ? { ...base, endsAt: (s.clearSince ?? at) + minuteMs } : base;
}

// The series keeps the severity it is judged at (an SLO observation's own, else the rule's), so what
// GET /api/v1/alerts says fires now (the banner orders pages first) matches what its notification said.
function fromObservation(
  policy: StepPolicy,
  o: Observation,
  prev: SeriesState | undefined,
  at: number,
): SeriesState {
  const next: SeriesState = {
    ...(prev ?? { seriesId: o.seriesId, key: o.key, state: 'pending', since: at }),
    lastSeenAt: at,
    value: o.value,
    expected: o.expected,
    explanation: o.explanation,
    severity: o.severity ?? policy.severity,
  };
  if (o.budgetRemainingPct !== undefined) next.budgetRemainingPct = o.budgetRemainingPct;
  return next;
}

/**
 * A firing series with a clear minute: resolved once clear for the resolve window (ADR 0117), else kept firing
 * with the breaching value it was notified with (what the banner shows), the clear minute only noted.
 */
function stepClear(
  policy: StepPolicy,
  o: Observation,
  prev: SeriesState,
  at: number,
): { state?: SeriesState; event?: AlertEvent } {
  const clearSince = prev.clearSince ?? at;
  if (at - clearSince + minuteMs >= policy.resolveMs)
    return { event: event(policy, { ...fromObservation(policy, o, prev, at), clearSince }, 'resolved', at) };
  return { state: { ...prev, clearSince, lastSeenAt: at } };
}

/** The next state of a series with an observation this minute, and the event that decided, if any. */
function stepSeries(
  policy: StepPolicy,
  o: Observation,
  prev: SeriesState | undefined,
  at: number,
): { state?: SeriesState; event?: AlertEvent } {
  if (o.insufficient) return prev ? { state: { ...prev, lastSeenAt: at } } : {};
  if (!o.breaching) return prev?.state === 'firing' ? stepClear(policy, o, prev, at) : {};
  const s = fromObservation(policy, o, prev, at);
  // Breaching again inside the resolve window: the same episode goes on, nothing is notified.
  delete s.clearSince;
  if (s.state === 'pending' && at - s.since + minuteMs >= policy.forMs) {
    s.state = 'firing';
    s.firingSince = at;
    s.lastNotifiedAt = at;
    return { state: s, event: event(policy, s, 'firing', at) };
  }
  if (s.state === 'firing' && at - (s.lastNotifiedAt ?? at) >= policy.repeatMs) {
    s.lastNotifiedAt = at;
    return { state: s, event: event(policy, s, 'repeat', at) };
  }
  return { state: s };
}

/** A series without data this minute: kept until staleMs, then resolved if it was firing (its endpoint is gone). */
function stepUnseen(
  policy: StepPolicy,
  prev: SeriesState,
  at: number,
): { state?: SeriesState; event?: AlertEvent } {
  if (at - prev.lastSeenAt < policy.staleMs) return { state: prev };
  if (prev.state !== 'firing') return {};
  const explanation = `no data since ${new Date(prev.lastSeenAt).toISOString()}`;
  return { event: event(policy, { ...prev, explanation }, 'resolved', at) };
}

/**
 * One evaluated minute of one rule: the new states and the notifications to send. Pure, so the same minute
 * evaluated twice (a restart before the state was saved) decides the same events with the same ids.
 */
export function stepAlertStates(
  policy: StepPolicy,
  previous: Readonly<Record<string, SeriesState>>,
  observations: readonly Observation[],
  at: number,
): { states: Record<string, SeriesState>; events: AlertEvent[] } {
  const states: Record<string, SeriesState> = {};
  const events: AlertEvent[] = [];
  const seen = new Set(observations.map((o) => o.seriesId));
  const results = [
    ...observations.map((o) => [o.seriesId, stepSeries(policy, o, previous[o.seriesId], at)] as const),
    ...Object.entries(previous)
      .filter(([id]) => !seen.has(id))
      .map(([id, prev]) => [id, stepUnseen(policy, prev, at)] as const),
  ];
  for (const [id, { state, event: e }] of results) {
    if (state) states[id] = state;
    if (e) events.push(e);
  }
  return { states, events };
}

/** An event still owed to some channels (persisted with the rule's state before anything is sent). */
export interface OutboxEntry {
  event: AlertEvent;
  pending: string[];
  firstTriedAt?: number;
}
