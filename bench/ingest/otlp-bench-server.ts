/**
 * The ingest listener the OTLP bench drives: the real batch endpoints over a real WAL (O_DSYNC, group commit) on
 * a temp dir, one key, limits far above the load so every figure is an accepted, durable request. The limits are
 * spelled as products, not shifts: `8 << 30` is 0 in 32-bit JS arithmetic, which made the first version of this
 * bench refuse every request with DISK_BUFFER_FULL (issue #21: the "315 non-200 responses").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { hashApiKey } from '../../workers/domain/api-keys.js';
import { staticKeys } from '../../workers/domain/key-ring.js';
import { RateLimiter } from '../../workers/ingest/domain/rate-limiter.js';
import { RouteBudget } from '../../workers/ingest/domain/route-budget.js';
import { buildIngestListener } from '../../workers/ingest/http/ingest-app.js';
import { buildIngestMetrics } from '../../workers/ingest/ingest-metrics.js';
import { WriteAheadLog } from '../../workers/ingest/wal/write-ahead-log.js';

export const benchKey = 'k';
const GiB = 2 ** 30;
const MiB = 2 ** 20;

export interface BenchServer {
  /** Base URL; OTLP exporters append /v1/traces. */
  baseUrl: string;
  /** Spans the server has made durable as facts plus spans it counted and skipped: every span it took. */
  spansTaken(): Promise<number>;
  close(): Promise<void>;
}

async function counterTotal(counter: { get(): Promise<{ values: { value: number }[] }> }) {
  return (await counter.get()).values.reduce((sum, v) => sum + v.value, 0);
}

/**
 * `keepAliveTimeoutMs` longer than Node's 5 s default when the client may sit in a synchronous loop for longer (the
 * forked server's rounds alternate with a decode loop in the client): a connection the server closed meanwhile is
 * only noticed by the client when it next writes on it ("other side closed").
 */
export async function startBenchServer(options: { keepAliveTimeoutMs?: number } = {}): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gx-otlp-bench-'));
  const { wal } = await WriteAheadLog.open({
    dir,
    maxSegmentBytes: 64 * MiB,
    maxSegmentAgeMs: 60_000,
    onSealed: () => {},
  });
  const metrics = buildIngestMetrics(
    () => ({ segments: 0, bytes: 0 }),
    () => wal.diskBytes(),
  );
  const listener = buildIngestListener({
    wal,
    keys: staticKeys([{ name: 'k', tenant: 'bench', sha256: hashApiKey(benchKey), scopes: ['ingest'] }]),
    rates: {
      items: new RateLimiter({ perSecond: 1e9, burst: 1e9 }),
      bytes: new RateLimiter({ perSecond: 1e12, burst: 1e12 }),
    },
    routes: new RouteBudget(500),
    metrics,
    log: pino({ level: 'silent' }),
    limits: {
      maxBodyBytes: 32 * MiB,
      maxItemsPerBatch: 10_000,
      maxJsonDepth: 32,
      diskBudgetBytes: 8 * GiB,
      tenantDiskBytes: 8 * GiB,
      maxPastMs: 86_400_000,
      maxFutureMs: 3_600_000,
    },
  });
  const server = await new Promise<Server>((r) => {
    const s = createServer(listener).listen(0, '127.0.0.1', () => r(s));
  });
  if (options.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = options.keepAliveTimeoutMs;
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spansTaken: async () =>
      (await counterTotal(metrics.factsAccepted)) + (await counterTotal(metrics.spansSkipped)),
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await wal.close();
      // Each run's log holds a few MiB of spans nobody reads again.
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
