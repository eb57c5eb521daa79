import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { repoPath } from '../../../testbin/harness/testbin-paths.js';
import { loadIngestConfig } from '../config.js';

interface CollectorConfig {
  processors?: { batch?: { send_batch_size?: number; send_batch_max_size?: number } };
  exporters?: Record<string, unknown>;
}

/**
 * The Collector config docs/opentelemetry.md gives must not send a request the ingest server refuses: a 413 is not
 * retried by the Collector, its spans are dropped. The batch processor's send_batch_size does not bound a request
 * (an incoming request larger than it goes out whole); only send_batch_max_size does. Probe 5 sent 12,000 spans
 * through the documented config to gravix dev: one 413, all dropped.
 */
describe('docs/opentelemetry.md, the OpenTelemetry Collector config', () => {
  it("bounds every request the batch processor sends by the ingest server's default items per batch", () => {
    const doc = readFileSync(repoPath('docs', 'opentelemetry.md'), 'utf8');
    const config = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)]
      .map((m) => parse(m[1]!) as CollectorConfig)
      .find((c) => c?.exporters && Object.keys(c.exporters).some((name) => name.startsWith('otlphttp')));
    const batch = config?.processors?.batch;
    const { GRAVIX_MAX_ITEMS_PER_BATCH } = loadIngestConfig({ GRAVIX_API_KEYS_FILE: 'keys.json' });
    expect(batch?.send_batch_max_size).toBeLessThanOrEqual(GRAVIX_MAX_ITEMS_PER_BATCH);
    expect(batch?.send_batch_size).toBeLessThanOrEqual(batch?.send_batch_max_size ?? 0);
  });
});
