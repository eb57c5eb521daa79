import type { IncidentKind } from './scenario-traffic.js';
import type { RuleKind, ScenarioScore } from './scenario-score.js';

/** One seed's score as the single-seed bench prints it (one simulated week). */
export type SeedScore = Pick<
  ScenarioScore,
  'byKind' | 'incidents' | 'falseAlertsPerService' | 'falseEpisodesPerService'
> & {
  seed: number;
};

export interface DelaySummary {
  count: number;
  median: number | null;
  p90: number | null;
  max: number | null;
}

export interface KindAcrossSeeds {
  alerts: number;
  falsePositives: number;
  precision: number | null;
  /** Alerts counted as episodes (a service's alerts of one day are one), summed over the seeds. */
  episodes: number;
  falseEpisodes: number;
  targeted: number;
  caught: number;
  recall: number | null;
  /** Time to detect of every caught incident of every seed, in minutes. */
  detectMinutes: DelaySummary;
  perSeed: {
    seed: number;
    alerts: number;
    falsePositives: number;
    episodes: number;
    falseEpisodes: number;
    caught: number;
    targeted: number;
  }[];
}

export interface IncidentAcrossSeeds {
  service: string;
  kind: IncidentKind;
  label: string;
  minutes: number;
  /** First detection per seed (null: missed), in the order of `seeds`. */
  firstDetectMinutes: (number | null)[];
  worstMinutes: number | null;
  missedSeeds: number[];
  /** Seeds where an incident of 5+ minutes was caught within 3 minutes; null for shorter incidents. */
  seedsMeetingTarget: number | null;
}

export interface SeedsAggregate {
  seeds: number[];
  byKind: Record<RuleKind, KindAcrossSeeds>;
  incidents: IncidentAcrossSeeds[];
  /** Per service: false alerts summed over the seeds and the worst single week (the target's unit). */
  falseAlertsPerService: Record<string, { total: number; worstWeek: number }>;
  /** The same counted as episodes (service-days with a false alert). */
  falseEpisodesPerService: Record<string, { total: number; worstWeek: number }>;
  targets: {
    incidentsOf5MinCaughtWithin3: { seedsMet: number; of: number };
    atMostOneFalseAlertPerService: { seedsMet: number; of: number };
    atMostOneFalseEpisodePerService: { seedsMet: number; of: number };
  };
}

const ratio = (a: number, b: number) => (b === 0 ? null : Math.round((1000 * a) / b) / 1000);

/** Nearest-rank quantile of sorted values. */
function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

export function summariseDelays(values: readonly number[]): DelaySummary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    median: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    max: sorted.length > 0 ? sorted[sorted.length - 1]! : null,
  };
}

function kindAcross(kind: RuleKind, runs: readonly SeedScore[]): KindAcrossSeeds {
  const mine = runs.map((r) => ({ seed: r.seed, score: r.byKind[kind] }));
  const sum = (f: (s: (typeof mine)[number]['score']) => number) => mine.reduce((a, m) => a + f(m.score), 0);
  const alerts = sum((s) => s.alerts);
  const falsePositives = sum((s) => s.falsePositives);
  const targeted = sum((s) => s.targeted);
  const caught = sum((s) => s.caught);
  return {
    alerts,
    falsePositives,
    precision: ratio(alerts - falsePositives, alerts),
    episodes: sum((s) => s.episodes),
    falseEpisodes: sum((s) => s.falseEpisodes),
    targeted,
    caught,
    recall: ratio(caught, targeted),
    detectMinutes: summariseDelays(mine.flatMap((m) => m.score.detectMinutes)),
    perSeed: mine.map(({ seed, score }) => ({
      seed,
      alerts: score.alerts,
      falsePositives: score.falsePositives,
      episodes: score.episodes,
      falseEpisodes: score.falseEpisodes,
      caught: score.caught,
      targeted: score.targeted,
    })),
  };
}

/**
 * The single-seed scores of several seeds (the same labelled week over different traffic noise, day levels and
 * history incidents) summed per rule kind, per incident and per service. The targets count seeds (simulated
 * weeks) that met them: "at most one false alert per service per simulated week" is judged week by week.
 */
export function aggregateSeeds(runs: readonly SeedScore[]): SeedsAggregate {
  if (runs.length === 0) throw new RangeError('aggregateSeeds needs at least one seed run');
  const kinds: RuleKind[] = ['threshold', 'slo', 'anomaly', 'silence'];
  const byKind = Object.fromEntries(kinds.map((k) => [k, kindAcross(k, runs)])) as Record<
    RuleKind,
    KindAcrossSeeds
  >;
  const incidents = runs[0]!.incidents.map<IncidentAcrossSeeds>((first, index) => {
    const per = runs.map((r) => r.incidents[index]);
    if (per.some((i) => i?.label !== first.label || i.service !== first.service))
      throw new RangeError(`seed runs disagree on incident ${index} (${first.service} ${first.label})`);
    const delays = per.map((i) => i!.firstDetectMinutes);
    const caught = delays.filter((d): d is number => d !== null);
    return {
      service: first.service,
      kind: first.kind,
      label: first.label,
      minutes: first.minutes,
      firstDetectMinutes: delays,
      worstMinutes: caught.length === delays.length ? Math.max(...caught) : null,
      missedSeeds: runs.filter((_, s) => delays[s] === null).map((r) => r.seed),
      seedsMeetingTarget: first.minutes >= 5 ? per.filter((i) => i!.meetsTarget === true).length : null,
    };
  });
  const services = [...new Set(runs.flatMap((r) => Object.keys(r.falseAlertsPerService)))];
  const perService = (counts: (r: SeedScore) => Record<string, number>) =>
    Object.fromEntries(
      services.map((s) => {
        const weeks = runs.map((r) => counts(r)[s] ?? 0);
        return [s, { total: weeks.reduce((a, b) => a + b, 0), worstWeek: Math.max(...weeks) }];
      }),
    );
  const seedsWhere = (ok: (r: SeedScore) => boolean) => ({
    seedsMet: runs.filter(ok).length,
    of: runs.length,
  });
  return {
    seeds: runs.map((r) => r.seed),
    byKind,
    incidents,
    falseAlertsPerService: perService((r) => r.falseAlertsPerService),
    falseEpisodesPerService: perService((r) => r.falseEpisodesPerService),
    targets: {
      incidentsOf5MinCaughtWithin3: seedsWhere((r) => r.incidents.every((i) => i.meetsTarget !== false)),
      atMostOneFalseAlertPerService: seedsWhere((r) =>
        Object.values(r.falseAlertsPerService).every((n) => n <= 1),
      ),
      atMostOneFalseEpisodePerService: seedsWhere((r) =>
        Object.values(r.falseEpisodesPerService).every((n) => n <= 1),
      ),
    },
  };
}
