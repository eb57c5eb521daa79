import type { AlertEvent } from '../../workers/alert/domain/alert-state.js';
import { minuteMs, type Incident, type IncidentKind } from './scenario-traffic.js';

/** One alert from firing to resolved (or to the end of the replay). */
export interface Episode {
  ruleKind: RuleKind;
  rule: string;
  service: string;
  firingAt: number;
  resolvedAt?: number;
  explanation: string;
}

export type RuleKind = 'threshold' | 'slo' | 'anomaly' | 'silence';

/** The incidents each kind of rule is meant to catch (recall is counted over these). */
export const targets: Record<RuleKind, readonly IncidentKind[]> = {
  threshold: ['error-burst'],
  slo: ['error-burst'],
  anomaly: ['error-burst', 'latency-shift', 'traffic-drop', 'silent'],
  silence: ['silent'],
};

/**
 * An alert that fires this long after its incident ended still belongs to it: windows of 5 minutes keep
 * seeing the incident for a few minutes after it stops.
 */
export const lateMatchMs = 10 * minuteMs;

/** Firing/resolved events of one rule (in minute order) into episodes. */
export function buildEpisodes(ruleKind: RuleKind, events: readonly AlertEvent[]): Episode[] {
  const open = new Map<string, Episode>();
  const episodes: Episode[] = [];
  for (const e of events) {
    const service = e.key.service ?? '*';
    if (e.kind === 'firing') {
      const episode = { ruleKind, rule: e.rule, service, firingAt: e.at, explanation: e.explanation };
      open.set(e.seriesId, episode);
      episodes.push(episode);
    } else if (e.kind === 'resolved') {
      const episode = open.get(e.seriesId);
      if (episode) episode.resolvedAt = e.at;
      open.delete(e.seriesId);
    }
  }
  return episodes;
}

const matches = (e: Episode, i: Incident) =>
  e.service === i.service && e.firingAt >= i.start && e.firingAt < i.end + lateMatchMs;

export interface KindScore {
  alerts: number;
  truePositives: number;
  falsePositives: number;
  precision: number | null;
  targeted: number;
  caught: number;
  recall: number | null;
  /** Minutes from the incident's first minute being judged to the alert firing, per caught incident. */
  detectMinutes: number[];
  /**
   * Alerts counted as episodes: a service's alerts of one UTC day are one episode, what a team remembers as "it
   * paged about checkout on Friday" however often it fired and resolved. Beside the raw counts, not instead.
   */
  episodes: number;
  falseEpisodes: number;
}

export interface IncidentScore {
  service: string;
  kind: IncidentKind;
  label: string;
  minutes: number;
  /** Minutes to detect per rule kind that caught it. */
  detectedBy: Partial<Record<RuleKind, number>>;
  firstDetectMinutes: number | null;
  /** Incidents of 5+ minutes must be caught within 3 minutes (issue #20). */
  meetsTarget: boolean | null;
}

export interface ScenarioScore {
  byKind: Record<RuleKind, KindScore>;
  incidents: IncidentScore[];
  falseAlertsPerService: Record<string, number>;
  /** False alerts of all kinds per service counted as episodes (service-days with a false alert). */
  falseEpisodesPerService: Record<string, number>;
  falseAlerts: { rule: string; service: string; at: string; explanation: string }[];
  targets: {
    incidentsOf5MinCaughtWithin3: boolean;
    atMostOneFalseAlertPerService: boolean;
    atMostOneFalseEpisodePerService: boolean;
  };
}

const dayMs = 86_400_000;
/** Distinct (service, UTC day) pairs among the alerts: the episodes they make. */
export const serviceDays = (alerts: readonly Episode[]) =>
  new Set(alerts.map((e) => `${e.service}|${Math.floor(e.firingAt / dayMs)}`)).size;

const ratio = (a: number, b: number) => (b === 0 ? null : Math.round((1000 * a) / b) / 1000);

/**
 * Precision, recall and detection delays per rule kind; per incident; false alerts per service. `alsoInjected`
 * are injected incidents that are not scored for recall but are real (a history incident that runs on into the
 * evaluated week): an alert on one of them is not a false alert.
 */
export function scoreScenario(
  episodes: readonly Episode[],
  incidents: readonly Incident[],
  services: readonly string[],
  alsoInjected: readonly Incident[] = [],
): ScenarioScore {
  const kinds: RuleKind[] = ['threshold', 'slo', 'anomaly', 'silence'];
  const byKind = {} as Record<RuleKind, KindScore>;
  const real = [...incidents, ...alsoInjected];
  for (const kind of kinds) {
    const mine = episodes.filter((e) => e.ruleKind === kind);
    const tp = mine.filter((e) => real.some((i) => matches(e, i)));
    const targeted = incidents.filter((i) => targets[kind].includes(i.kind));
    const delays = targeted
      .map((i) => mine.filter((e) => matches(e, i)).map((e) => (e.firingAt - i.start) / minuteMs))
      .filter((d) => d.length > 0)
      .map((d) => Math.min(...d));
    byKind[kind] = {
      alerts: mine.length,
      truePositives: tp.length,
      falsePositives: mine.length - tp.length,
      precision: ratio(tp.length, mine.length),
      targeted: targeted.length,
      caught: delays.length,
      recall: ratio(delays.length, targeted.length),
      detectMinutes: delays,
      episodes: serviceDays(mine),
      falseEpisodes: serviceDays(mine.filter((e) => !tp.includes(e))),
    };
  }
  const scored = incidents.map<IncidentScore>((i) => {
    const detectedBy: Partial<Record<RuleKind, number>> = {};
    for (const kind of kinds) {
      const hits = episodes.filter((e) => e.ruleKind === kind && matches(e, i));
      if (hits.length > 0) detectedBy[kind] = Math.min(...hits.map((e) => (e.firingAt - i.start) / minuteMs));
    }
    const delays = Object.values(detectedBy);
    const first = delays.length > 0 ? Math.min(...delays) : null;
    const minutes = (i.end - i.start) / minuteMs;
    return {
      service: i.service,
      kind: i.kind,
      label: i.label,
      minutes,
      detectedBy,
      firstDetectMinutes: first,
      meetsTarget: minutes >= 5 ? first !== null && first <= 3 : null,
    };
  });
  const falses = episodes.filter((e) => !real.some((i) => matches(e, i)));
  const falseAlertsPerService = Object.fromEntries(
    services.map((s) => [s, falses.filter((e) => e.service === s).length]),
  );
  const falseEpisodesPerService = Object.fromEntries(
    services.map((s) => [s, serviceDays(falses.filter((e) => e.service === s))]),
  );
  return {
    byKind,
    incidents: scored,
    falseAlertsPerService,
    falseEpisodesPerService,
    falseAlerts: falses.map((e) => ({
      rule: e.rule,
      service: e.service,
      at: new Date(e.firingAt).toISOString(),
      explanation: e.explanation,
    })),
    targets: {
      incidentsOf5MinCaughtWithin3: scored.every((s) => s.meetsTarget !== false),
      atMostOneFalseAlertPerService: Object.values(falseAlertsPerService).every((n) => n <= 1),
      atMostOneFalseEpisodePerService: Object.values(falseEpisodesPerService).every((n) => n <= 1),
    },
  };
}
