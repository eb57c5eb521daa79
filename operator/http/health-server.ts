import type { Registry } from 'prom-client';
import { startProbeServer, type ProbeServer } from '../../workers/shared/http/probe-server.js';

export interface HealthServerOptions {
  host: string;
  port: number;
  registry: Registry;
  /** Ready when this replica can do its job: leading with synced watches, or standing by. */
  ready(): boolean;
}

export type HealthServer = ProbeServer;

/** /metrics, /healthz (process alive) and /readyz for the kubelet and Prometheus. */
export function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const { ready, ...listen } = options;
  return startProbeServer({
    ...listen,
    paths: { live: '/healthz', ready: '/readyz' },
    readiness: () =>
      ready() ? undefined : { code: 'NOT_READY', message: 'the operator has not synced its watches yet' },
  });
}
