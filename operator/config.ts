import { hostname } from 'node:os';
import { z } from 'zod';
import { ConfigError, parseConfig } from '../workers/shared/config-error.js';

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const configSchema = z.object({
  GRAVIX_OPERATOR_NAMESPACE: z.string().default('').describe("namespace to watch; '' for all"),
  GRAVIX_OPERATOR_KUBECONFIG: z.string().optional().describe('kubeconfig path; in-cluster config when unset'),
  GRAVIX_OPERATOR_HTTP_HOST: z.string().default('0.0.0.0'),
  GRAVIX_OPERATOR_HTTP_PORT: int(0, 65535).default(8080),
  GRAVIX_OPERATOR_RESYNC_SECONDS: int(5, 86_400).default(300),
  GRAVIX_OPERATOR_CONCURRENCY: int(1, 64).default(4),
  GRAVIX_OPERATOR_LEADER_ELECT: bool.default(false),
  GRAVIX_OPERATOR_LEASE_NAMESPACE: z.string().min(1).default('gravix-system'),
  GRAVIX_OPERATOR_LEASE_NAME: z.string().min(1).default('gravix-operator'),
  GRAVIX_OPERATOR_LEASE_SECONDS: int(2, 600).default(15),
  GRAVIX_OPERATOR_LEASE_RENEW_DEADLINE_SECONDS: z.coerce.number().min(0.5).max(599).default(10),
  GRAVIX_OPERATOR_LEASE_RETRY_SECONDS: z.coerce.number().min(0.1).max(60).default(2),
  GRAVIX_OPERATOR_IDENTITY: z.string().min(1).optional().describe('defaults to the hostname (the pod name)'),
  GRAVIX_OPERATOR_OPTIONAL_KIND_RETRY_SECONDS: int(1, 86_400)
    .default(60)
    .describe('first wait before an unserved optional kind (Prometheus operator CRDs) is asked for again'),
  GRAVIX_OPERATOR_OPTIONAL_KIND_RETRY_MAX_SECONDS: int(1, 86_400)
    .default(600)
    .describe(
      'the wait doubles up to this: the latest a later-installed Prometheus operator is noticed without CRD reads',
    ),
  GRAVIX_OPERATOR_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
  // Injected by the kubelet into every pod; their presence means "in-cluster".
  KUBERNETES_SERVICE_HOST: z.string().min(1).optional(),
  KUBERNETES_SERVICE_PORT: z.string().regex(/^\d+$/).default('443'),
});

const IN_CLUSTER_KEYS = ['KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT'];

export interface OperatorConfig {
  namespace: string;
  apiserver: { kubeconfig?: string; inCluster?: { host: string; port: string } };
  http: { host: string; port: number };
  resyncMs: number;
  concurrency: number;
  leaderElection: {
    enabled: boolean;
    namespace: string;
    name: string;
    leaseSeconds: number;
    /** A leader that has not renewed its lease for this long stops acting (< leaseSeconds). */
    renewDeadlineMs: number;
    retryPeriodMs: number;
    identity: string;
  };
  /** Unserved optional kinds are asked for again after firstMs, doubling up to maxMs (docs/adr/0105). */
  optionalKindRetry: { firstMs: number; maxMs: number };
  logLevel: string;
}

/**
 * Never two leaders needs retry < renew deadline < lease duration: a leader steps down at its renew deadline,
 * before a standby may take a lease it has seen unchanged for a whole lease duration. The optional kinds' first
 * retry cannot exceed its cap.
 */
function checkTimings(c: z.infer<typeof configSchema>): void {
  const lease = c.GRAVIX_OPERATOR_LEASE_SECONDS;
  const deadline = c.GRAVIX_OPERATOR_LEASE_RENEW_DEADLINE_SECONDS;
  const retry = c.GRAVIX_OPERATOR_LEASE_RETRY_SECONDS;
  const issues: string[] = [];
  if (deadline >= lease)
    issues.push(
      `GRAVIX_OPERATOR_LEASE_RENEW_DEADLINE_SECONDS="${deadline}": must be less than GRAVIX_OPERATOR_LEASE_SECONDS (${lease})`,
    );
  if (retry >= deadline)
    issues.push(
      `GRAVIX_OPERATOR_LEASE_RETRY_SECONDS="${retry}": must be less than GRAVIX_OPERATOR_LEASE_RENEW_DEADLINE_SECONDS (${deadline})`,
    );
  const first = c.GRAVIX_OPERATOR_OPTIONAL_KIND_RETRY_SECONDS;
  const max = c.GRAVIX_OPERATOR_OPTIONAL_KIND_RETRY_MAX_SECONDS;
  if (first > max)
    issues.push(
      `GRAVIX_OPERATOR_OPTIONAL_KIND_RETRY_SECONDS="${first}": must not exceed GRAVIX_OPERATOR_OPTIONAL_KIND_RETRY_MAX_SECONDS (${max})`,
    );
  if (issues.length > 0) throw new ConfigError(issues, { subject: 'operator' });
}

/** The only place the operator reads its environment; every bad key is reported at once. */
export function loadConfig(env: Record<string, string | undefined>): OperatorConfig {
  const known = Object.fromEntries(
    Object.entries(env).filter(([k]) => k.startsWith('GRAVIX_OPERATOR_') || IN_CLUSTER_KEYS.includes(k)),
  );
  const c = parseConfig(configSchema, known, { subject: 'operator' });
  checkTimings(c);
  return {
    namespace: c.GRAVIX_OPERATOR_NAMESPACE,
    apiserver: {
      kubeconfig: c.GRAVIX_OPERATOR_KUBECONFIG,
      inCluster: c.KUBERNETES_SERVICE_HOST
        ? { host: c.KUBERNETES_SERVICE_HOST, port: c.KUBERNETES_SERVICE_PORT }
        : undefined,
    },
    http: { host: c.GRAVIX_OPERATOR_HTTP_HOST, port: c.GRAVIX_OPERATOR_HTTP_PORT },
    resyncMs: c.GRAVIX_OPERATOR_RESYNC_SECONDS * 1000,
    concurrency: c.GRAVIX_OPERATOR_CONCURRENCY,
    leaderElection: {
      enabled: c.GRAVIX_OPERATOR_LEADER_ELECT,
      namespace: c.GRAVIX_OPERATOR_LEASE_NAMESPACE,
      name: c.GRAVIX_OPERATOR_LEASE_NAME,
      leaseSeconds: c.GRAVIX_OPERATOR_LEASE_SECONDS,
      renewDeadlineMs: c.GRAVIX_OPERATOR_LEASE_RENEW_DEADLINE_SECONDS * 1000,
      retryPeriodMs: c.GRAVIX_OPERATOR_LEASE_RETRY_SECONDS * 1000,
      identity: c.GRAVIX_OPERATOR_IDENTITY ?? hostname(),
    },
    optionalKindRetry: {
      firstMs: c.GRAVIX_OPERATOR_OPTIONAL_KIND_RETRY_SECONDS * 1000,
      maxMs: c.GRAVIX_OPERATOR_OPTIONAL_KIND_RETRY_MAX_SECONDS * 1000,
    },
    logLevel: c.GRAVIX_OPERATOR_LOG_LEVEL,
  };
}
