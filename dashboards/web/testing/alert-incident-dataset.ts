import { parseAlertRuleBody } from '../../../crds/gravix-alert-rule.js';
import type { RawFact, RawRecord } from '../../../workers/domain/raw-record.js';
import { MINUTE, TENANT } from './incident-dataset.js';

/** Minutes of steady traffic before `nowMinute` (the evaluator judges the last ALERT_CATCH_UP of them). */
export const HISTORY_MINUTES = 100;
export const ALERT_CATCH_UP = 90;
/** An incident that fired and resolved (75 to 65 minutes ago) and one firing now (the last 8 minutes). */
export const RESOLVED_INCIDENT = { from: -75, to: -65 } as const;
export const ONGOING_INCIDENT = { from: -8, to: 0 } as const;

const ENDPOINTS = [
  // Every other payments request fails during an incident; none does otherwise.
  { service: 'payments', method: 'POST', path: '/charge', perMinute: 20, failEvery: 0 },
  // Steady small error rates: under the SLO's objective but eating its budget, at different speeds.
  { service: 'checkout', method: 'GET', path: '/cart', perMinute: 20, failEvery: 200 },
  { service: 'search', method: 'GET', path: '/search', perMinute: 10, failEvery: 50 },
] as const;

/**
 * The rules the alert tests evaluate with the real evaluator: a threshold on each payments endpoint's error rate
 * (1-minute window, so the span is the incident's minutes) and an availability SLO for checkout and search (the
 * glob leaves payments out: its SLO would keep burning for minutes after the incident and the test would wait).
 */
export function alertTestRules() {
  return [
    parseAlertRuleBody(
      {
        kind: 'threshold',
        selector: { tenant: TENANT, service: 'payments', each: 'endpoint' },
        threshold: { metric: 'error_rate', value: 5, window: '1m', for: '1m', minRequests: 10 },
      },
      'payments-errors',
    ),
    parseAlertRuleBody(
      {
        kind: 'slo',
        selector: { tenant: TENANT, service: '*c*', each: 'service' },
        slo: { objective: 99 },
      },
      'availability',
    ),
  ];
}

function inIncident(minuteOffset: number): boolean {
  return (
    (minuteOffset >= RESOLVED_INCIDENT.from && minuteOffset < RESOLVED_INCIDENT.to) ||
    (minuteOffset >= ONGOING_INCIDENT.from && minuteOffset < ONGOING_INCIDENT.to)
  );
}

/** A payments deploy 20 minutes ago: its marker must not be taken for an alert span (nor the reverse). */
export const DEPLOY_AT = -20;

export function alertTestDeploy(nowMinute: number): RawRecord {
  return {
    kind: 'event',
    tenant: TENANT,
    event_id: 'deploy-payments',
    ts: nowMinute + DEPLOY_AT * MINUTE,
    type: 'deploy',
    service: 'payments',
    version: 'v2.4.0',
  };
}

/** Facts of the minutes [from, to) (offsets from `nowMinute`), incidents included unless `clean`. */
export function alertTestFacts(nowMinute: number, from: number, to: number, clean = false): RawFact[] {
  const facts: RawFact[] = [];
  for (let offset = from; offset < to; offset++) {
    const minute = nowMinute + offset * MINUTE;
    for (const e of ENDPOINTS)
      for (let i = 0; i < e.perMinute; i++) {
        const n = (offset - from) * e.perMinute + i;
        const incident = !clean && e.service === 'payments' && inIncident(offset);
        const fails = incident ? i % 2 === 0 : e.failEvery > 0 && n % e.failEvery === 0;
        facts.push({
          kind: 'fact',
          tenant: TENANT,
          event_id: `${e.service}-${minute}-${i}`,
          ts: minute + Math.floor(((i + 0.5) * MINUTE) / e.perMinute),
          service: e.service,
          method: e.method,
          path: e.path,
          status_code: fails ? 503 : 200,
          latency_ms: 20 + (n % 40),
        });
      }
  }
  return facts;
}
