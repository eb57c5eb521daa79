import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { buildPipelineAlertRules } from '../../cdk8s/monitoring.js';
import { makePipeline } from '../../crds/testing/pipeline-fixture.js';
import { runTool } from '../../testbin/harness/run-tool.js';
import { repoPath, testbinPaths } from '../../testbin/harness/testbin-paths.js';

/** The per-pipeline PrometheusRule (cdk8s/monitoring.ts), rendered for pipeline demo in obs, through promtool. */
describe('the PrometheusRule each pipeline gets', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gx-pipeline-rules-'));
    const rules = buildPipelineAlertRules(makePipeline({ monitoring: { enabled: true } }, 'demo', 'obs'));
    writeFileSync(join(dir, 'pipeline-rules.yaml'), stringify({ groups: [{ name: 'gravix', rules }] }));
    copyFileSync(
      repoPath('dashboards', 'prometheus', 'pipeline-rules.test.yaml'),
      join(dir, 'pipeline-rules.test.yaml'),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes promtool check rules', async () => {
    const result = await runTool(testbinPaths().promtool, [
      'check',
      'rules',
      join(dir, 'pipeline-rules.yaml'),
    ]);
    expect(result.stdout).toContain('SUCCESS: 3 rules found');
    expect(result.exitCode).toBe(0);
  });

  it('fires GravixRollupStale when the rollup has never succeeded, is not running, or stopped succeeding', async () => {
    const result = await runTool(testbinPaths().promtool, [
      'test',
      'rules',
      join(dir, 'pipeline-rules.test.yaml'),
    ]);
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.exitCode).toBe(0);
  });
});
