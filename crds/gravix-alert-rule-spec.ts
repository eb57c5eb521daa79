import { z } from 'zod';

/**
 * The one source of truth for alert rules: the GravixAlertRule CRD (crds/gravix-alert-rule-crd.ts), the rules file
 * of `gravix dev --alerts`, and the bodies of /api/v1/alert-rules are all this schema. Kinds are flat optional
 * blocks selected by `kind` (not a zod union): a oneOf is not a structural schema, so the apiserver would refuse it.
 * Each CEL rule is also a zod refinement with the same message (ADR 0060's rule).
 */

const cel = (rule: string, message: string) => ({ rule, message });

export const DURATION_PATTERN = '^[1-9][0-9]{0,5}(s|m|h|d)$';
const durationUnits: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** '5m' -> 300000; the pattern above guarantees the shape. */
export function parseDurationMs(text: string): number {
  const unit = text.slice(-1);
  return Number(text.slice(0, -1)) * (durationUnits[unit] ?? Number.NaN);
}

const duration = (fallback: string) =>
  z
    .string()
    .regex(new RegExp(DURATION_PATTERN), 'must be a duration such as 90s, 5m, 1h or 2d')
    .default(fallback);

// Globs: '*' matches any run of characters; everything else is literal (no regexes from users, no ReDoS).
const glob = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^\p{Cc}]+$/u, 'must not contain control characters');

export const selectorSchema = z
  .object({
    tenant: z.string().min(1).max(64).default('default').describe('tenant whose traffic the rule watches'),
    service: glob.default('*').describe("service name or glob ('*' = any)"),
    method: glob.default('*').describe("HTTP method or '*'"),
    route: glob.default('*').describe("route template (e.g. /orders/:id) or glob, '*' = any"),
    each: z
      .enum(['none', 'service', 'endpoint'])
      .default('service')
      .describe('fan-out: one alert per matching service, per endpoint, or one over everything matched'),
  })
  .describe('which series the rule watches');

export const thresholdMetrics = ['error_rate', 'p50', 'p95', 'p99', 'throughput'] as const;
export const thresholdSchema = z.object({
  metric: z
    .enum(thresholdMetrics)
    .describe('error_rate in percent, p50/p95/p99 in ms, throughput in requests/min'),
  op: z.enum(['above', 'below']).default('above'),
  value: z.number().min(0).max(1e9),
  window: duration('5m').describe('the span each evaluation aggregates'),
  for: duration('1m').describe('how long the condition must hold before the alert fires'),
  resolveAfter: duration('1m').describe(
    'a firing alert resolves once its condition has been clear this long (1m = the first clear minute); breaching again sooner continues the same alert',
  ),
  minRequests: z
    .number()
    .int()
    .min(0)
    .max(1e9)
    .default(20)
    .describe('windows with fewer requests do not count (an error rate of 2 requests is noise)'),
});

export const SLO_LATENCY_RULE = cel(
  "self.sli != 'latency' || has(self.latencyThresholdMs)",
  'latencyThresholdMs is required when sli is latency',
);
export const sloSchema = z
  .object({
    sli: z.enum(['availability', 'latency']).default('availability'),
    objective: z.number().min(50).max(99.999).describe('percent of good requests over the period, e.g. 99.9'),
    latencyThresholdMs: z.number().min(0).max(1e7).optional().describe('a request is good when faster'),
    period: duration('30d'),
  })
  .meta({ 'x-kubernetes-validations': [SLO_LATENCY_RULE] })
  .refine((s) => s.sli !== 'latency' || s.latencyThresholdMs !== undefined, {
    message: SLO_LATENCY_RULE.message,
    path: ['latencyThresholdMs'],
  });

export const anomalyMetrics = ['error_rate', 'p95', 'throughput'] as const;

/** ADR 0117: a traffic drop is judged against the level the series has kept over the last hours. */
export const recentLevelSchema = z
  .object({
    enabled: z.boolean().default(true),
    span: duration('1h').describe(
      'the hours before the window whose traffic against their own baseline is the level',
    ),
    floor: z
      .number()
      .min(0.05)
      .max(1)
      .default(0.5)
      .describe('the lowest level taken as a new normal (0.5: half the usual traffic); lower stays a drop'),
  })
  .describe('throughput: a sustained lower level (a holiday, a new normal) lowers the expected band with it');
export const anomalySchema = z.object({
  metrics: z
    .array(z.enum(anomalyMetrics))
    .min(1)
    .max(3)
    .default(['error_rate', 'p95', 'throughput'])
    .describe('error-rate jumps and latency shifts upward, traffic drops downward'),
  sensitivity: z.enum(['low', 'medium', 'high']).default('medium'),
  window: duration('5m'),
  for: duration('2m'),
  resolveAfter: duration('10m').describe(
    'a firing alert resolves once no metric has been anomalous this long; anomalous again sooner continues the same alert',
  ),
  weeks: z.number().int().min(1).max(8).default(4).describe('weeks of history the baseline reads'),
  minRequests: z.number().int().min(0).max(1e9).default(50),
  recentLevel: recentLevelSchema.default(recentLevelSchema.parse({})),
});

export const silenceSchema = z.object({
  minutes: z.number().int().min(1).max(1440).default(10).describe('minutes without a single request'),
  minExpectedRequests: z
    .number()
    .int()
    .min(1)
    .max(1e9)
    .default(20)
    .describe('the seasonal baseline for those minutes must expect at least this many requests'),
  weeks: z.number().int().min(1).max(8).default(4),
});

export const alertRuleKinds = ['threshold', 'slo', 'anomaly', 'silence'] as const;
export const KIND_BLOCK_RULE = cel(
  alertRuleKinds.map((k) => `has(self.${k}) == (self.kind == '${k}')`).join(' && '),
  'exactly the block named by kind must be set (threshold, slo, anomaly or silence)',
);

const ruleFields = {
  kind: z.enum(alertRuleKinds),
  selector: selectorSchema.default(selectorSchema.parse({})),
  threshold: thresholdSchema.optional(),
  slo: sloSchema.optional(),
  anomaly: anomalySchema.optional(),
  silence: silenceSchema.optional(),
  severity: z
    .enum(['page', 'ticket', 'info'])
    .default('page')
    .describe('SLO rules page on fast burns and open tickets on slow ones regardless'),
  channels: z
    .array(z.string().regex(/^[a-z0-9][-a-z0-9]{0,62}$/, 'must be a channel name (lowercase, digits, -)'))
    .max(8)
    .default([])
    .describe('notification channels by name; their URLs and secrets live in the worker configuration'),
  repeatInterval: duration('4h').describe('re-notify a firing alert this often'),
  labels: z.record(z.string().max(63), z.string().max(256)).default({}),
  summary: z.string().max(512).optional(),
};

function kindBlockMatches(
  rule: { kind: string } & Partial<Record<(typeof alertRuleKinds)[number], unknown>>,
) {
  return alertRuleKinds.every((k) => (rule[k] !== undefined) === (rule.kind === k));
}
const kindRefinement = { message: KIND_BLOCK_RULE.message, path: ['kind'] };

/** A rule without its name: the CRD's spec adds pipelineRef, the file and API add name. */
export const alertRuleBodySchema = z
  .object(ruleFields)
  .meta({ 'x-kubernetes-validations': [KIND_BLOCK_RULE] })
  .refine(kindBlockMatches, kindRefinement);

export const alertRuleSpecSchema = z
  .object({
    pipelineRef: z
      .object({ name: z.string().min(1).max(63) })
      .describe('the GravixPipeline whose data it reads'),
    ...ruleFields,
  })
  .meta({ 'x-kubernetes-validations': [KIND_BLOCK_RULE] })
  .refine(kindBlockMatches, kindRefinement);

export const RULE_NAME_PATTERN = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$';
export const namedAlertRuleSchema = z
  .object({
    name: z.string().regex(new RegExp(RULE_NAME_PATTERN), 'must be a DNS label (lowercase, digits, -; 1-63)'),
    ...ruleFields,
  })
  .refine(kindBlockMatches, kindRefinement);

export const alertRulesFileSchema = z.object({
  rules: z.array(namedAlertRuleSchema).max(1000),
});

export const alertRuleStatusSchema = z.object({
  observedGeneration: z.number().int().optional(),
  lastEvaluation: z.string().max(40).optional().describe('RFC 3339 time of the last evaluation'),
  evaluatedMinute: z.string().max(40).optional().describe('the newest committed minute it evaluated'),
  state: z.enum(['inactive', 'pending', 'firing', 'error']).optional(),
  value: z.string().max(64).optional().describe('the worst series value, formatted'),
  firing: z.number().int().optional().describe('series firing now'),
  errorBudgetRemaining: z.string().max(16).optional(),
  error: z.string().max(1024).optional(),
});

export type AlertRuleBody = z.output<typeof alertRuleBodySchema>;
export type NamedAlertRule = z.output<typeof namedAlertRuleSchema>;
export type AlertRuleSpec = z.output<typeof alertRuleSpecSchema>;
export type AlertRuleStatus = z.output<typeof alertRuleStatusSchema>;
export type AlertSelector = z.output<typeof selectorSchema>;
export type ThresholdSpec = z.output<typeof thresholdSchema>;
export type SloSpec = z.output<typeof sloSchema>;
export type AnomalySpec = z.output<typeof anomalySchema>;
export type SilenceSpec = z.output<typeof silenceSchema>;
