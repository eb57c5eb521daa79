import { readFileSync } from 'node:fs';
import { buildAlertRuleCrd } from './gravix-alert-rule-crd.js';
import { parseDurationMs } from './gravix-alert-rule-spec.js';
import {
  InvalidAlertRuleError,
  parseAlertRuleObject,
  parseAlertRulesFile,
  parseNamedAlertRule,
} from './gravix-alert-rule.js';
import { ALERT_RULE_CRD_YAML_PATH, renderAlertRuleCrdYaml } from './write-crd.js';

const rulesYaml = `
rules:
  - name: checkout-errors
    kind: threshold
    selector: { tenant: shop, service: checkout, each: endpoint }
    threshold: { metric: error_rate, value: 5 }
    channels: [oncall-slack]
  - name: availability
    kind: slo
    slo: { objective: 99.9 }
`;

describe('alert rule schema', () => {
  it('reads a rules file and fills every default', () => {
    const [errors, slo] = parseAlertRulesFile(rulesYaml, 'rules.yaml');
    expect(errors).toEqual({
      name: 'checkout-errors',
      kind: 'threshold',
      selector: { tenant: 'shop', service: 'checkout', method: '*', route: '*', each: 'endpoint' },
      threshold: {
        metric: 'error_rate',
        op: 'above',
        value: 5,
        window: '5m',
        for: '1m',
        resolveAfter: '1m',
        minRequests: 20,
      },
      severity: 'page',
      channels: ['oncall-slack'],
      repeatInterval: '4h',
      labels: {},
    });
    expect(slo?.slo).toEqual({ sli: 'availability', objective: 99.9, period: '30d' });
    expect(slo?.selector).toEqual({
      tenant: 'default',
      service: '*',
      method: '*',
      route: '*',
      each: 'service',
    });
  });

  it('refuses a kind whose block is missing or another kind block beside it, with the CEL message', () => {
    expect(() =>
      parseNamedAlertRule({ name: 'a', kind: 'slo', threshold: { metric: 'p95', value: 1 } }),
    ).toThrow(
      new InvalidAlertRuleError([
        'kind: exactly the block named by kind must be set (threshold, slo, anomaly or silence) (got "slo")',
      ]),
    );
  });

  it('refuses a latency SLO without its threshold, naming the field', () => {
    expect(() =>
      parseNamedAlertRule({ name: 'a', kind: 'slo', slo: { sli: 'latency', objective: 99 } }),
    ).toThrow('slo.latencyThresholdMs: latencyThresholdMs is required when sli is latency (missing)');
  });

  it('reports every bad field at once with its value', () => {
    expect(() =>
      parseNamedAlertRule({
        name: 'Bad Name',
        kind: 'threshold',
        threshold: { metric: 'p97', value: -1, window: '5 minutes' },
      }),
    ).toThrow(
      'invalid alert rule: name: must be a DNS label (lowercase, digits, -; 1-63) (got "Bad Name"); ' +
        'threshold.metric: Invalid option: expected one of "error_rate"|"p50"|"p95"|"p99"|"throughput" (got "p97"); ' +
        'threshold.value: Too small: expected number to be >=0 (got -1); ' +
        'threshold.window: must be a duration such as 90s, 5m, 1h or 2d (got "5 minutes")',
    );
  });

  it('refuses a file that names a rule twice and a file that is not YAML', () => {
    const twice = `rules:\n  - {name: a, kind: silence, silence: {}}\n  - {name: a, kind: silence, silence: {}}\n`;
    expect(() => parseAlertRulesFile(twice, 'r.yaml')).toThrow("rules: name 'a' is used twice");
    expect(() => parseAlertRulesFile('rules: [', 'r.yaml')).toThrow('r.yaml: not YAML');
  });

  it('reads durations in seconds, minutes, hours and days', () => {
    expect(['90s', '5m', '1h', '30d'].map(parseDurationMs)).toEqual([
      90_000, 300_000, 3_600_000, 2_592_000_000,
    ]);
  });

  it('turns a custom resource into the rule the evaluator runs, keeping its pipeline reference in the spec', () => {
    const { rule, spec, namespace } = parseAlertRuleObject({
      apiVersion: 'gravix.dev/v1alpha1',
      kind: 'GravixAlertRule',
      metadata: { name: 'quiet-checkout', namespace: 'shop' },
      spec: { pipelineRef: { name: 'main' }, kind: 'silence', silence: { minutes: 5 } },
    });
    expect(namespace).toBe('shop');
    expect(spec.pipelineRef).toEqual({ name: 'main' });
    expect(rule.name).toBe('quiet-checkout');
    expect(rule.silence).toEqual({ minutes: 5, minExpectedRequests: 20, weeks: 4 });
    expect(rule).not.toHaveProperty('pipelineRef');
  });

  it('declares the kind rule in CEL, a status subresource and state/value printer columns', () => {
    type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- walking a manifest
    const crd = buildAlertRuleCrd() as Json;
    const version = crd.spec.versions[0];
    const spec = version.schema.openAPIV3Schema.properties.spec;
    expect(spec['x-kubernetes-validations'][0].message).toBe(
      'exactly the block named by kind must be set (threshold, slo, anomaly or silence)',
    );
    expect(spec.required).toEqual(expect.arrayContaining(['pipelineRef', 'kind']));
    expect(JSON.stringify(spec)).not.toMatch(/oneOf|anyOf|additionalProperties":false/);
    expect(version.subresources).toEqual({ status: {} });
    expect(version.additionalPrinterColumns.map((c: { name: string }) => c.name)).toEqual([
      'Kind',
      'Pipeline',
      'State',
      'Value',
      'Firing',
      'Evaluated',
    ]);
  });

  it('keeps the generated CRD YAML in step with the schema (regenerate: node dist/crds/write-crd.js)', () => {
    expect(readFileSync(ALERT_RULE_CRD_YAML_PATH, 'utf8')).toBe(renderAlertRuleCrdYaml());
  });
});
