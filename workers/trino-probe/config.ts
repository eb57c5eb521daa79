import { z } from 'zod';
import { parseConfig } from '../shared/config-error.js';

const schema = z.object({
  /** The Trino server in the same pod. */
  GRAVIX_TRINO_PROBE_SERVER: z.url().default('http://127.0.0.1:8080'),
  GRAVIX_TRINO_PROBE_HOST: z.string().min(1).default('0.0.0.0'),
  GRAVIX_TRINO_PROBE_PORT: z.coerce.number().int().min(0).max(65535).default(9466),
  /**
   * A worker accepts no queries (only a coordinator serves /v1/statement), so SELECT 1 on it never answers: a worker
   * is ready when its node state is ACTIVE (docs/adr/0130).
   */
  GRAVIX_TRINO_PROBE_ROLE: z.enum(['coordinator', 'worker']).default('coordinator'),
  GRAVIX_TRINO_PROBE_TIMEOUT_MS: z.coerce.number().int().min(100).default(4000),
  GRAVIX_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type TrinoProbeConfig = z.infer<typeof schema>;

/** `gravix trino-probe`'s configuration, from the environment; every bad key reported at once. */
export function loadTrinoProbeConfig(env: Record<string, string | undefined>): TrinoProbeConfig {
  return parseConfig(schema, env);
}
