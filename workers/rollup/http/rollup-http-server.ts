import type { Registry } from 'prom-client';
import { startProbeServer, type ProbeServer, type Readiness } from '../../shared/http/probe-server.js';

export type RollupHttpServer = ProbeServer;

/** Whether the rollup works: undefined when it does, else the error body /ready answers 503 with. */
export type RollupReadiness = Readiness;

/**
 * /metrics for Prometheus, /live and /ready for the kubelet (the same probe paths as ingest and query). /ready is
 * honest: 503 until a pass has run to the end and whenever the last one failed as a whole (the store unreachable),
 * so the Deployment, and the pipeline's Available condition, say when rollups are not happening. A partition that
 * fails alone does not count: one tenant's bad data must not mark every tenant's pipeline unavailable.
 */
export function startRollupHttpServer(options: {
  host: string;
  port: number;
  registry: Registry;
  readiness: RollupReadiness;
}): Promise<RollupHttpServer> {
  return startProbeServer({ ...options, paths: { live: '/live', ready: '/ready' } });
}
