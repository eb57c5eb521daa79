import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ObjectStore } from '../adapters/object-store/object-store.js';
import { parseApiKeys } from '../domain/api-keys.js';
import { buildMetricsRegistry } from '../shared/metrics-registry.js';
import { DuckDbQueryEngine } from './adapters/duckdb-query-engine.js';
import { TrinoQueryEngine } from './adapters/trino-query-engine.js';
import type { QueryConfig } from './config.js';
import { buildQueryApp } from './http/query-app.js';
import type { QueryEngine } from './query-engine.js';
import { QueryService } from './query-service.js';
import { registerRollupFreshnessMetrics } from './rollup-freshness-metrics.js';

export interface QueryServer {
  port: number;
  stop(): Promise<void>;
}

async function openEngine(config: QueryConfig): Promise<QueryEngine> {
  if (config.GRAVIX_QUERY_ENGINE === 'duckdb') {
    if (config.store.GRAVIX_STORE !== 's3')
      return DuckDbQueryEngine.open(join(config.store.GRAVIX_DATA_DIR, 'store'));
    throw new Error('GRAVIX_QUERY_ENGINE=duckdb needs GRAVIX_STORE=local: DuckDB reads local Parquet only');
  }
  const bucket = config.store.GRAVIX_STORE === 's3' ? config.store.GRAVIX_S3_BUCKET : '';
  const prefix = config.store.GRAVIX_STORE === 's3' ? config.store.GRAVIX_S3_PREFIX : '';
  return TrinoQueryEngine.open({
    server: config.GRAVIX_TRINO_URL!,
    catalog: config.GRAVIX_TRINO_CATALOG,
    schema: config.GRAVIX_TRINO_SCHEMA,
    user: config.GRAVIX_TRINO_USER,
    warehouse: `s3://${bucket}/${prefix}`,
  });
}

/** Wires engine, service and HTTP app; used by `gravix query` and by `gravix dev`. */
export async function startQueryServer(
  config: QueryConfig,
  store: ObjectStore,
  log: Logger,
): Promise<QueryServer> {
  const apiKeys = parseApiKeys(readFileSync(config.GRAVIX_API_KEYS_FILE, 'utf8'));
  const engine = await openEngine(config);
  const registry = buildMetricsRegistry();
  registerRollupFreshnessMetrics(registry, store);
  const app = buildQueryApp({
    service: new QueryService(engine, store),
    apiKeys: () => apiKeys,
    log,
    registry,
    dashboardDir: config.GRAVIX_DASHBOARD_DIR,
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(config.GRAVIX_QUERY_PORT, config.GRAVIX_QUERY_HOST, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ port, engine: config.GRAVIX_QUERY_ENGINE }, 'query listening');
  return {
    port,
    async stop() {
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeIdleConnections();
      });
      await engine.close();
    },
  };
}
