import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ALERT_RULE_API_VERSION, ALERT_RULE_KIND } from './gravix-alert-rule-crd.js';
import {
  alertRuleBodySchema,
  alertRuleSpecSchema,
  alertRulesFileSchema,
  namedAlertRuleSchema,
  type AlertRuleSpec,
  type NamedAlertRule,
} from './gravix-alert-rule-spec.js';

/** Any rule source (file, API body, CR) that fails the schema; every issue at once, each naming field and value. */
export class InvalidAlertRuleError extends Error {
  readonly code = 'INVALID_ALERT_RULE';
  constructor(
    readonly issues: string[],
    readonly field?: string,
  ) {
    super(`invalid alert rule: ${issues.join('; ')}`);
  }
}

function readPath(value: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>((at, key) => (at as Record<PropertyKey, unknown> | undefined)?.[key], value);
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const actual = readPath(value, issue.path);
    const found = actual === undefined ? ' (missing)' : ` (got ${JSON.stringify(actual)?.slice(0, 80)})`;
    return `${prefix}${issue.path.join('.') || '<root>'}: ${issue.message}${found}`;
  });
  const first = result.error.issues[0]?.path.join('.');
  throw new InvalidAlertRuleError(issues, first ? `${prefix}${first}` : undefined);
}

/** A named rule from an API body or a rules file entry. */
export function parseNamedAlertRule(value: unknown): NamedAlertRule {
  return parseWith(namedAlertRuleSchema, value);
}

/** A rule body without its name (PUT /api/v1/alert-rules/{name}). */
export function parseAlertRuleBody(value: unknown, name: string): NamedAlertRule {
  const body = parseWith(alertRuleBodySchema, value);
  return parseNamedAlertRule({ ...body, name });
}

/** `gravix dev --alerts rules.yaml`: a YAML document `rules: [...]`; names must be unique. */
export function parseAlertRulesFile(text: string, source: string): NamedAlertRule[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new InvalidAlertRuleError([`${source}: not YAML: ${(error as Error).message}`]);
  }
  const { rules } = parseWith(alertRulesFileSchema, doc);
  const seen = new Set<string>();
  const duplicates = rules.filter((r) => seen.size === seen.add(r.name).size).map((r) => r.name);
  if (duplicates.length > 0)
    throw new InvalidAlertRuleError(duplicates.map((n) => `rules: name '${n}' is used twice`));
  return rules;
}

const alertRuleObjectSchema = z.object({
  apiVersion: z.literal(ALERT_RULE_API_VERSION),
  kind: z.literal(ALERT_RULE_KIND),
  metadata: z.object({ name: z.string().min(1).max(63), namespace: z.string().min(1).default('default') }),
  spec: alertRuleSpecSchema,
});

/** A GravixAlertRule custom resource as the apiserver returns it, turned into the rule the evaluator runs. */
export function parseAlertRuleObject(value: unknown): {
  rule: NamedAlertRule;
  spec: AlertRuleSpec;
  namespace: string;
} {
  const object = parseWith(alertRuleObjectSchema, value);
  const { pipelineRef: _pipelineRef, ...body } = object.spec;
  return {
    rule: { ...body, name: object.metadata.name },
    spec: object.spec,
    namespace: object.metadata.namespace,
  };
}
