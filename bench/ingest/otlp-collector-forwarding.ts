/**
 * The OpenTelemetry Collector's own throughput forwarding to Gravix: the bench posts the same 1000-span requests
 * to the Collector's OTLP/HTTP receiver (testbin's otelcol, built from its Go modules), which batches them and
 * forwards with its otlphttp exporter (gzip, its default) to a fresh Gravix ingest listener. The figure is the
 * spans Gravix made durable (facts) or counted (skipped non-server spans) per second, from the first request to
 * the moment the last span sent was taken; a span the Collector accepted but Gravix never took fails the run.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../testbin/harness/free-port.js';
import { ManagedProcess } from '../../testbin/harness/managed-process.js';
import { otelcolForwardingConfig } from '../../testbin/harness/otelcol-forwarding-config.js';
import { testbinPaths } from '../../testbin/harness/testbin-paths.js';
import { waitUntil } from '../../testbin/harness/wait-until.js';
import { benchKey, startBenchServer } from './otlp-bench-server.js';
import { sendFor, spansPerRequest } from './otlp-bench-workload.js';

export interface CollectorFigures {
  collectorForwardingSpansPerSecond: number;
  spansSent: number;
  spansTakenByGravix: number;
  refusedByCollector: Record<string, number>;
  drainSeconds: number;
}

export async function collectorForwarding(
  bodies: Buffer[],
  options: { seconds: number; concurrency: number },
): Promise<CollectorFigures> {
  const { otelcol } = testbinPaths();
  if (!existsSync(otelcol))
    throw new Error(`the Collector is not built at ${otelcol}: run 'bash scripts/testbin.sh otelcol'`);
  const gravix = await startBenchServer();
  const port = await freePort();
  const config = join(mkdtempSync(join(tmpdir(), 'gx-otelcol-bench-')), 'config.yaml');
  writeFileSync(
    config,
    otelcolForwardingConfig({
      receiverPort: port,
      gravixUrl: gravix.baseUrl,
      key: benchKey,
      batchSize: 8192,
      // Gravix refuses a request with more server spans than GRAVIX_MAX_ITEMS_PER_BATCH (10,000).
      batchMaxSize: 8192,
    }),
  );
  const collector = new ManagedProcess({
    name: 'otelcol-bench',
    command: otelcol,
    args: ['--config', config],
  });
  collector.start();
  try {
    const url = `http://127.0.0.1:${port}/v1/traces`;
    await waitUntil(
      async () => {
        collector.assertRunning();
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        return res.ok;
      },
      { what: 'the Collector accepting OTLP/HTTP', timeoutMs: 60_000 },
    );
    const started = performance.now();
    const sent = await sendFor(url, bodies, options);
    const spansSent = sent.ok * spansPerRequest;
    let taken = 0;
    await waitUntil(async () => (taken = await gravix.spansTaken()) >= spansSent, {
      what: `Gravix taking the ${spansSent} spans the Collector accepted`,
      timeoutMs: 300_000,
      intervalMs: 20,
    }).catch(() => undefined);
    const seconds = (performance.now() - started) / 1000;
    return {
      collectorForwardingSpansPerSecond: Math.round(taken / seconds),
      spansSent,
      spansTakenByGravix: taken,
      refusedByCollector: sent.refused,
      drainSeconds: Number((seconds - sent.seconds).toFixed(2)),
    };
  } finally {
    await collector.stop('SIGTERM');
    await gravix.close();
  }
}
