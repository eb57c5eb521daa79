import type { NamedAlertRule } from '../../crds/gravix-alert-rule-spec.js';
import type { AlertData } from '../../workers/alert/app/alert-data.js';
import { evaluateRule } from '../../workers/alert/app/evaluate-rule.js';
import {
  buildStepPolicy,
  stepAlertStates,
  type AlertEvent,
  type SeriesState,
} from '../../workers/alert/domain/alert-state.js';
import { rollUpToServices, type ServiceMetricsRow } from '../../workers/domain/hour-metrics.js';
import { MinuteMetricsAggregator } from '../../workers/domain/minute-metrics.js';
import { buildSeededRandom } from '../../workers/domain/seeded-random.js';
import { dayFactors } from './scenario-plan.js';
import { dayMs, minuteFacts, minuteMs, type Incident, type ServiceProfile } from './scenario-traffic.js';

const hourMs = 3_600_000;

/**
 * The scenario's facts through the rollup's own aggregation, one hour partition at a time as the rollup does
 * (MinuteMetricsAggregator, then rollUpToServices as it writes service_metrics_minute). Endpoint rows are dropped
 * after each hour: the bench's rules fan out per service, and five weeks of endpoint rows would not fit.
 */
export function rollUpScenario(
  services: readonly ServiceProfile[],
  incidents: readonly Incident[],
  from: number,
  to: number,
  seed: number,
): { rows: ServiceMetricsRow[]; facts: number } {
  const random = buildSeededRandom(seed);
  const levels = dayFactors(seed, Math.ceil((to - from) / dayMs));
  const rows: ServiceMetricsRow[] = [];
  let facts = 0;
  for (let hour = from; hour < to; hour += hourMs) {
    const aggregator = new MinuteMetricsAggregator();
    const emit = (f: Parameters<MinuteMetricsAggregator['add']>[0]) => {
      facts += 1;
      aggregator.add(f);
    };
    for (let t = hour; t < hour + hourMs; t += minuteMs)
      services.forEach((p, s) => {
        const level = levels[s]![Math.floor((t - from) / dayMs)]!;
        minuteFacts(p, t, level, incidents, random, emit);
      });
    rows.push(...rollUpToServices(aggregator.rows(), 'minute'));
  }
  return { rows, facts };
}

/**
 * Each rule judged at every minute of [from, to) as the worker judges a committed minute: evaluateRule reads its
 * windows through the AlertData port, stepAlertStates decides pending/firing/resolved with the rule's policy.
 */
export async function replayRule(
  data: AlertData,
  rule: NamedAlertRule,
  from: number,
  to: number,
  staleMs: number,
): Promise<AlertEvent[]> {
  const policy = buildStepPolicy(rule, staleMs);
  let states: Record<string, SeriesState> = {};
  const events: AlertEvent[] = [];
  for (let minute = from; minute < to; minute += minuteMs) {
    const step = stepAlertStates(policy, states, await evaluateRule(data, rule, minute), minute);
    states = step.states;
    events.push(...step.events);
  }
  return events;
}
