import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runTool } from '../../testbin/harness/run-tool.js';
import { repoPath, testbinPaths } from '../../testbin/harness/testbin-paths.js';
import { parsePromqlMetricNames } from '../prometheus/promql-metric-names.js';
import { KNOWN_SERIES } from '../prometheus/self-monitoring-metrics.js';

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: { refId: string; expr: string }[];
}

const dashboard = JSON.parse(
  readFileSync(repoPath('dashboards', 'grafana', 'gravix-self-monitoring.json'), 'utf8'),
) as { uid: string; title: string; panels: Panel[]; templating: { list: { name: string }[] } };
const queries = dashboard.panels.flatMap((p) =>
  (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })),
);

/** Grafana's variables replaced by values Prometheus accepts, so promtool can check the PromQL. */
function substituteVariables(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '5m')
    .replaceAll('$__range', '1h')
    .replaceAll('$namespace', '.*');
}

describe('the Gravix self-monitoring Grafana dashboard', () => {
  it('is a dashboard with a stable uid, unique panel ids and namespace and datasource variables', () => {
    expect(dashboard.uid).toBe('gravix-self-monitoring');
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'namespace']);
  });

  it('lays panels out on the 24-column grid without overlaps', () => {
    const cells = new Set<string>();
    for (const { gridPos } of dashboard.panels) {
      expect(gridPos.x + gridPos.w).toBeLessThanOrEqual(24);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++) {
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) cells.add(`${x},${y}`);
      }
    }
    const area = dashboard.panels.reduce((sum, p) => sum + p.gridPos.w * p.gridPos.h, 0);
    expect(cells.size).toBe(area);
  });

  it('queries only metrics Gravix exposes', () => {
    const unknown = queries.flatMap(({ panel, expr }) =>
      parsePromqlMetricNames(expr)
        .filter((name) => !KNOWN_SERIES.has(name))
        .map((name) => `${panel}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('shows ingest rate, fsync latency, upload backlog, rollup lag and reconcile errors', () => {
    const used = new Set(queries.flatMap(({ expr }) => parsePromqlMetricNames(expr)));
    for (const name of [
      'gravix_ingest_http_requests_total',
      'gravix_wal_fsync_duration_seconds_bucket',
      'gravix_upload_backlog_segments',
      'gravix_rollup_lag_seconds',
      'gravix_operator_reconcile_total',
    ]) {
      expect(used).toContain(name);
    }
  });

  it('has only PromQL that promtool accepts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gravix-dashboard-'));
    try {
      const rules = queries.map(({ expr }, i) => ({
        record: `dashboard:query_${i}`,
        expr: substituteVariables(expr),
      }));
      const file = join(dir, 'dashboard-queries.yaml');
      writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
      const result = await runTool(testbinPaths().promtool, ['check', 'rules', file]);
      expect(result.stdout + result.stderr).toContain(`SUCCESS: ${queries.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
