import { freePort } from '../../../testbin/harness/free-port.js';

/** Loopback ports of a `gravix ingest` + `gravix query` pair with their metrics listeners. */
export interface KeysServersPorts {
  ingest: number;
  query: number;
  ingestMetrics: number;
  queryMetrics: number;
}

export async function keysServersPorts(): Promise<KeysServersPorts> {
  const [ingest, queryPort, ingestMetrics, queryMetrics] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  return { ingest, query: queryPort, ingestMetrics, queryMetrics };
}

/** The environment both servers of a key test share: one data dir, one keys file, keys reloaded every `reloadMs`. */
export function keysServersEnv(options: {
  dataDir: string;
  keysFile: string;
  ports: KeysServersPorts;
  reloadMs: number;
}): NodeJS.ProcessEnv {
  const { ports } = options;
  return {
    GRAVIX_DATA_DIR: options.dataDir,
    GRAVIX_API_KEYS_FILE: options.keysFile,
    GRAVIX_INGEST_HOST: '127.0.0.1',
    GRAVIX_QUERY_HOST: '127.0.0.1',
    GRAVIX_INGEST_PORT: String(ports.ingest),
    GRAVIX_QUERY_PORT: String(ports.query),
    GRAVIX_INGEST_METRICS_PORT: String(ports.ingestMetrics),
    GRAVIX_QUERY_METRICS_PORT: String(ports.queryMetrics),
    GRAVIX_KEYS_RELOAD_MS: String(options.reloadMs),
  };
}
