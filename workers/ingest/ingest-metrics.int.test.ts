import { runTool } from '../../testbin/harness/run-tool.js';
import { testbinPaths } from '../../testbin/harness/testbin-paths.js';
import { buildIngestMetrics } from './ingest-metrics.js';

describe('ingestion metrics', () => {
  it('pass promtool check metrics once every series has been touched', async () => {
    const metrics = buildIngestMetrics(
      () => ({ segments: 2, bytes: 4096 }),
      () => 8192,
    );
    metrics.httpRequests.inc({ route: 'facts', status: '200' });
    metrics.requestDuration.observe({ route: 'facts' }, 0.004);
    metrics.factsAccepted.inc({ tenant: 'acme' }, 10);
    metrics.factsRejected.inc({ tenant: 'acme', code: 'OUT_OF_RANGE' });
    metrics.eventsAccepted.inc({ tenant: 'acme' });
    metrics.spansSkipped.inc({ tenant: 'acme' }, 3);
    metrics.fsyncDuration.observe(0.002);
    metrics.uploadFailures.inc();
    metrics.uploadDuration.observe(0.3);
    const text = await metrics.registry.metrics();
    const result = await runTool(testbinPaths().promtool, ['check', 'metrics'], text);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(text).toContain('gravix_upload_backlog_segments 2');
    expect(text).toContain('gravix_wal_bytes 8192');
  });
});
