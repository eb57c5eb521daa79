import { hostname } from 'node:os';
import { z } from 'zod';
import { ConfigError, parseAll, parseConfig } from '../shared/config-error.js';
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
  /** How stale the channels (file and the Secret files it names) may be: rotations apply within this. */
  GRAVIX_ALERT_CHANNELS_REREAD_MS: int(0, 3_600_000).default(10_000),
  GRAVIX_ALERT_DASHBOARD_URL: z.url().default('http://127.0.0.1:8080/'),
  GRAVIX_ALERT_SEND_ATTEMPTS: int(1, 10).default(4),
  GRAVIX_ALERT_SEND_BACKOFF_MS: int(0, 60_000).default(1_000),
  GRAVIX_ALERT_SEND_TIMEOUT_MS: int(100, 60_000).default(10_000),
  GRAVIX_ALERT_GIVE_UP_MS: int(60_000, 86_400_000).default(3_600_000),
  GRAVIX_ALERT_ALERTMANAGER_VALID_MS: int(60_000, 3_600_000).default(300_000),
});

/**
 * On Kubernetes (the operator sets these, cdk8s/alerting.ts): rules come from GravixAlertRule objects that name
 * GRAVIX_ALERT_PIPELINE, their status is written back, and a Lease lets exactly one replica evaluate.
 */
const kubernetesSchema = z.object({
  GRAVIX_ALERT_PIPELINE: z.string().min(1).max(63).optional(),
  GRAVIX_ALERT_NAMESPACE: z.string().min(1).max(63).default('default'),
  GRAVIX_ALERT_KUBECONFIG: z.string().min(1).optional().describe('in-cluster service account when unset'),
  GRAVIX_ALERT_LEASE_NAME: z.string().min(1).max(253).optional().describe('defaults to <pipeline>-alert'),
  GRAVIX_ALERT_IDENTITY: z.string().min(1).optional().describe('the Lease holder; defaults to the hostname'),
  GRAVIX_ALERT_LEASE_SECONDS: int(2, 600).default(15),
  GRAVIX_ALERT_LEASE_RENEW_DEADLINE_SECONDS: z.coerce.number().min(0.5).max(599).default(10),
  GRAVIX_ALERT_LEASE_RETRY_SECONDS: z.coerce.number().min(0.1).max(60).default(2),
  // Injected by the kubelet into every pod.
  KUBERNETES_SERVICE_HOST: z.string().min(1).optional(),
  KUBERNETES_SERVICE_PORT: z.string().regex(/^\d+$/).default('443'),
});

export interface AlertKubernetesConfig {
  pipeline: string;
  namespace: string;
  apiserver: { kubeconfig?: string; inCluster?: { host: string; port: string } };
  lease: {
    name: string;
    identity: string;
    leaseDurationSeconds: number;
    renewDeadlineMs: number;
    retryPeriodMs: number;
  };
}

export type AlertConfig = z.infer<typeof alertSchema> & {
  query: QueryConfig;
  /** Set when GRAVIX_ALERT_PIPELINE is: rules from GravixAlertRule objects, one leased evaluator. */
  kubernetes?: AlertKubernetesConfig;
};

function loadKubernetesConfig(env: Record<string, string | undefined>): AlertKubernetesConfig | undefined {
  const c = parseConfig(kubernetesSchema, env, { subject: 'alert' });
  if (!c.GRAVIX_ALERT_PIPELINE) return undefined;
  const problems: string[] = [];
  // Never two evaluators: retry < renew deadline < lease duration (the operator's rule, operator/config.ts).
  if (c.GRAVIX_ALERT_LEASE_RENEW_DEADLINE_SECONDS >= c.GRAVIX_ALERT_LEASE_SECONDS)
    problems.push(
      `GRAVIX_ALERT_LEASE_RENEW_DEADLINE_SECONDS="${c.GRAVIX_ALERT_LEASE_RENEW_DEADLINE_SECONDS}": must be less than GRAVIX_ALERT_LEASE_SECONDS (${c.GRAVIX_ALERT_LEASE_SECONDS})`,
    );
  if (c.GRAVIX_ALERT_LEASE_RETRY_SECONDS >= c.GRAVIX_ALERT_LEASE_RENEW_DEADLINE_SECONDS)
    problems.push(
      `GRAVIX_ALERT_LEASE_RETRY_SECONDS="${c.GRAVIX_ALERT_LEASE_RETRY_SECONDS}": must be less than GRAVIX_ALERT_LEASE_RENEW_DEADLINE_SECONDS (${c.GRAVIX_ALERT_LEASE_RENEW_DEADLINE_SECONDS})`,
    );
  if (!c.GRAVIX_ALERT_KUBECONFIG && !c.KUBERNETES_SERVICE_HOST)
    problems.push(
      'GRAVIX_ALERT_KUBECONFIG: required with GRAVIX_ALERT_PIPELINE outside a cluster (KUBERNETES_SERVICE_HOST is unset)',
    );
  if (problems.length > 0) throw new ConfigError(problems, { subject: 'alert' });
  return {
    pipeline: c.GRAVIX_ALERT_PIPELINE,
    namespace: c.GRAVIX_ALERT_NAMESPACE,
    apiserver: {
      kubeconfig: c.GRAVIX_ALERT_KUBECONFIG,
      inCluster: c.KUBERNETES_SERVICE_HOST
        ? { host: c.KUBERNETES_SERVICE_HOST, port: c.KUBERNETES_SERVICE_PORT }
        : undefined,
    },
    lease: {
      name: c.GRAVIX_ALERT_LEASE_NAME ?? `${c.GRAVIX_ALERT_PIPELINE}-alert`,
      identity: c.GRAVIX_ALERT_IDENTITY ?? hostname(),
      leaseDurationSeconds: c.GRAVIX_ALERT_LEASE_SECONDS,
      renewDeadlineMs: c.GRAVIX_ALERT_LEASE_RENEW_DEADLINE_SECONDS * 1000,
      retryPeriodMs: c.GRAVIX_ALERT_LEASE_RETRY_SECONDS * 1000,
    },
  };
}

/**
 * `gravix alert`'s configuration. The engine and store keys are the query server's (one owner, workers/query/
 * config.ts); the alert worker serves no API, so the API keys file that loader requires is not read.
 */
export function loadAlertConfig(env: Record<string, string | undefined>): AlertConfig {
  const [[alert, query], kubernetes] = parseAll(
    () =>
      parseAll(
        () => parseConfig(alertSchema, env, { subject: 'alert' }),
        () => loadQueryConfig({ GRAVIX_API_KEYS_FILE: '(not read by gravix alert)', ...env }),
      ),
    () => loadKubernetesConfig(env),
  );
  return { ...alert, query, ...(kubernetes ? { kubernetes } : {}) };
}
