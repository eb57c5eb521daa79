import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { runTool } from '../../testbin/harness/run-tool.js';
import { repoPath, testbinPaths } from '../../testbin/harness/testbin-paths.js';
import { parsePromqlMetricNames } from './promql-metric-names.js';
import { KNOWN_SERIES } from './self-monitoring-metrics.js';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const rulesPath = repoPath('dashboards', 'prometheus', 'gravix-rules.yaml');
const rules = (parse(readFileSync(rulesPath, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
  (g) => g.rules,
);

describe('Gravix PrometheusRules', () => {
  it('pass promtool check rules', async () => {
    const result = await runTool(testbinPaths().promtool, ['check', 'rules', rulesPath]);
    expect(result.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(result.exitCode).toBe(0);
  });

  it('pass their promtool unit tests (each alert fires on the series that should trigger it)', async () => {
    const result = await runTool(testbinPaths().promtool, [
      'test',
      'rules',
      repoPath('dashboards', 'prometheus', 'gravix-rules.test.yaml'),
    ]);
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.exitCode).toBe(0);
  });

  it('select only metrics Gravix exposes', () => {
    const used = rules.flatMap((r) => parsePromqlMetricNames(r.expr)).filter((name) => !name.includes(':'));
    expect(used.filter((name) => !KNOWN_SERIES.has(name))).toEqual([]);
  });

  it('give every alert a severity, a summary and a description', () => {
    for (const rule of rules.filter((r) => r.alert)) {
      expect({ alert: rule.alert, severity: rule.labels?.['severity'] }).toEqual({
        alert: rule.alert,
        severity: expect.stringMatching(/^(critical|warning|info)$/),
      });
      expect(Object.keys(rule.annotations ?? {}).sort()).toEqual(['description', 'summary']);
    }
  });

  it('alert on ingestion, fsync, uploads, rollup and the operator', () => {
    expect(rules.map((r) => r.alert).filter(Boolean)).toEqual(
      expect.arrayContaining([
        'GravixIngestHighErrorRate',
        'GravixWalFsyncSlow',
        'GravixUploadBacklogGrowing',
        'GravixRollupLagging',
        'GravixRollupStalled',
        'GravixOperatorReconcileErrors',
      ]),
    );
  });
});
