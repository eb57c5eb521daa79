import { z } from 'zod';
import { parseAll, parseConfig } from '../shared/config-error.js';
import { loadQueryConfig, type QueryConfig } from '../query/config.js';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const alertSchema = z.object({
  GRAVIX_ALERT_HOST: z.string().default('0.0.0.0'),
  /** /metrics, /live and /ready. */
  GRAVIX_ALERT_METRICS_PORT: int(0, 65535).default(9465),
  GRAVIX_ALERT_INTERVAL_MS: int(1000, 3_600_000).default(60_000),
  /**
   * How long after its minute ends a fact may still reach the store (ingest segment age, default 60 s, plus the
   * upload): the evaluator judges a minute only when a rollup pass listed raw/ this long after it ended.
   */
  GRAVIX_ALERT_SETTLE_MS: int(0, 3_600_000).default(75_000),
  GRAVIX_ALERT_CATCH_UP_MINUTES: int(1, 1440).default(10),
  GRAVIX_ALERT_STALE_MS: int(60_000, 7 * 86_400_000).default(3_600_000),
  GRAVIX_ALERT_RULES_FILE: z.string().min(1).optional(),
  GRAVIX_ALERT_CHANNELS_FILE: z.string().min(1).optional(),
  GRAVIX_ALERT_DASHBOARD_URL: z.url().default('http://127.0.0.1:8080/'),
  GRAVIX_ALERT_SEND_ATTEMPTS: int(1, 10).default(4),
  GRAVIX_ALERT_SEND_BACKOFF_MS: int(0, 60_000).default(1_000),
  GRAVIX_ALERT_SEND_TIMEOUT_MS: int(100, 60_000).default(10_000),
  GRAVIX_ALERT_GIVE_UP_MS: int(60_000, 86_400_000).default(3_600_000),
  GRAVIX_ALERT_ALERTMANAGER_VALID_MS: int(60_000, 3_600_000).default(300_000),
});

export type AlertConfig = z.infer<typeof alertSchema> & { query: QueryConfig };

/**
 * `gravix alert`'s configuration. The engine and store keys are the query server's (one owner, workers/query/
 * config.ts); the alert worker serves no API, so the API keys file that loader requires is not read.
 */
export function loadAlertConfig(env: Record<string, string | undefined>): AlertConfig {
  const [alert, query] = parseAll(
    () => parseConfig(alertSchema, env, { subject: 'alert' }),
    () => loadQueryConfig({ GRAVIX_API_KEYS_FILE: '(not read by gravix alert)', ...env }),
  );
  return { ...alert, query };
}
