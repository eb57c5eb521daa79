import { z } from 'zod';
import { objectStoreConfigSchema } from '../adapters/object-store/object-store-config.js';
import { ConfigError, parseAll, parseConfig } from '../shared/config-error.js';
import { traceUrlTemplateProblem } from './domain/trace-url-template.js';

const querySchema = z.object({
  GRAVIX_QUERY_HOST: z.string().default('0.0.0.0'),
  GRAVIX_QUERY_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** /metrics is served here only, never on the public port the Ingress routes (docs/query-api.md). */
  GRAVIX_QUERY_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  GRAVIX_QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  GRAVIX_QUERY_TENANT_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  GRAVIX_QUERY_TENANT_QUEUE: z.coerce.number().int().min(0).max(1000).default(16),
  GRAVIX_QUERY_BREAKER_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  GRAVIX_QUERY_BREAKER_OPEN_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
  /** Result cache for closed time ranges (docs/adr/0066); 0 turns it off. */
  GRAVIX_QUERY_RESULT_CACHE_MB: z.coerce.number().int().min(0).max(65_536).default(64),
  /** How long one listing of the rollup's manifests and day tiles serves: the most a commit lags in cached answers. */
  GRAVIX_QUERY_COMMITS_MAX_AGE_MS: z.coerce.number().int().min(0).max(300_000).default(1_000),
  GRAVIX_DUCKDB_THREADS: z.coerce.number().int().min(1).max(256).default(2),
  GRAVIX_DUCKDB_MEMORY_LIMIT: z
    .string()
    .regex(/^\d+(\.\d+)?\s?(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/, 'must be a size such as 512MB or 2GiB')
    .default('1GB'),
  /** DuckDB's allocator_flush_threshold (its default: 128MB); `gravix dev` lowers it (docs/adr/0093). */
  GRAVIX_DUCKDB_ALLOCATOR_FLUSH_THRESHOLD: z
    .string()
    .regex(/^\d+(\.\d+)?\s?(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/, 'must be a size such as 8MB or 128MiB')
    .optional(),
  /** DuckDB's external file cache (its default: on); `gravix dev` turns it off (docs/adr/0093). */
  GRAVIX_DUCKDB_FILE_CACHE: z.enum(['true', 'false']).optional(),
  GRAVIX_API_KEYS_FILE: z.string().min(1),
  // How often the managed keys document in the store is checked for changes (docs/adr/0069): the longest a
  // revoke or a new key takes to reach this server.
  GRAVIX_KEYS_RELOAD_MS: z.coerce.number().int().min(100).max(300_000).default(2000),
  GRAVIX_QUERY_ENGINE: z.enum(['duckdb', 'trino']).default('duckdb'),
  /**
   * The coordinator's base URL. `new URL` alone takes `trino:8080` (scheme `trino:`) and `ftp://...`; those failed
   * only at the first statement, so the rule is spelled out (docs/query-api.md, "Trino outside Kubernetes").
   */
  GRAVIX_TRINO_URL: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      // A refinement's message names its value itself (describeConfigProblem); a password in it is not shown.
      if (value !== undefined && !isTrinoUrl(value))
        ctx.addIssue({
          code: 'custom',
          message: `${JSON.stringify(withoutPassword(value))}: must be http(s)://host[:port] (the coordinator, no path, query or credentials)`,
        });
    }),
  // Both are written into statements as identifiers (CREATE SCHEMA hive.gravix ...), never as bound values.
  GRAVIX_TRINO_CATALOG: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'must be a lowercase SQL identifier')
    .default('hive'),
  GRAVIX_TRINO_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'must be a lowercase SQL identifier')
    .default('gravix'),
  GRAVIX_TRINO_USER: z.string().default('gravix'),
  GRAVIX_DASHBOARD_DIR: z.string().optional(),
  /**
   * Port of the ingestion API on the host the dashboard was opened on (`gravix dev` sets it); unset, the dashboard's
   * first-event curl posts to its own origin, as behind a pipeline's Ingress.
   */
  GRAVIX_DASHBOARD_INGEST_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /**
   * Where an exemplar's trace opens (Tempo, Jaeger, Grafana Explore): an http(s) URL with `{traceId}`, e.g.
   * http://tempo:3200/trace/{traceId}. Unset: the API and dashboard list exemplars without links.
   */
  GRAVIX_TRACE_URL_TEMPLATE: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      const problem = value === undefined ? undefined : traceUrlTemplateProblem(value);
      // A refinement's message names its value itself (describeConfigProblem).
      if (problem) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} ${problem}` });
    }),
  GRAVIX_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Sign-in for people through an OpenID provider (docs/security.md, docs/adr/0076); unset issuer: keys only.
  GRAVIX_OIDC_ISSUER: z.url().optional(),
  GRAVIX_OIDC_CLIENT_ID: z.string().min(1).optional(),
  GRAVIX_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /**
   * The client secret as a file, read again at each sign-in (a mounted Secret key: a rotated secret applies without
   * a restart); what the operator sets. Either this or GRAVIX_OIDC_CLIENT_SECRET, not both.
   */
  GRAVIX_OIDC_CLIENT_SECRET_FILE: z.string().min(1).optional(),
  /** The public URL of /api/v1/auth/callback as registered with the provider; https makes every cookie Secure. */
  GRAVIX_OIDC_REDIRECT_URL: z
    .url()
    .refine((u) => new URL(u).pathname === '/api/v1/auth/callback', 'must end in /api/v1/auth/callback')
    .optional(),
  /** Which groups give which role in which tenant (YAML or JSON, workers/domain/oidc-roles.ts). */
  GRAVIX_OIDC_ROLES_FILE: z.string().min(1).optional(),
  /** Tenants (crds/gravix-tenant-spec.ts): their OIDC groups per role and quotas (GET /api/v1/tenant-usage). */
  GRAVIX_TENANTS_FILE: z.string().min(1).optional(),
  /** How often tenant changes (the tenants file re-read) are looked for and appended to the audit log. */
  GRAVIX_TENANTS_AUDIT_MS: z.coerce.number().int().min(100).max(300_000).default(5000),
  GRAVIX_OIDC_SCOPES: z.string().default('openid email profile groups'),
  GRAVIX_OIDC_GROUPS_CLAIM: z.string().min(1).default('groups'),
  /** A plain-HTTP issuer (a provider on loopback or inside the cluster); refused unless this is true. */
  GRAVIX_OIDC_ALLOW_HTTP: z.enum(['true', 'false']).default('false'),
  // Failed sign-ins (docs/security.md): past these many within the window, sign-ins from that address, or of that
  // account, are refused (429 at /login, SIGN_IN_THROTTLED at the callback, audited) until the window moves on.
  GRAVIX_SIGNIN_MAX_FAILURES_PER_SOURCE: z.coerce.number().int().min(1).max(100_000).default(20),
  GRAVIX_SIGNIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).max(100_000).default(5),
  GRAVIX_SIGNIN_FAILURE_WINDOW_MS: z.coerce.number().int().min(1000).max(86_400_000).default(900_000),
  GRAVIX_SESSION_TTL_MS: z.coerce
    .number()
    .int()
    .min(60_000)
    .max(7 * 86_400_000)
    .default(8 * 3_600_000),
});

function isTrinoUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.hostname !== '' &&
    url.pathname === '/' &&
    !url.search &&
    !url.hash &&
    !url.username &&
    !url.password
  );
}

function withoutPassword(value: string): string {
  if (!URL.canParse(value)) return value;
  const url = new URL(value);
  if (!url.password) return value;
  url.password = '***';
  return url.href;
}

const oidcNeeds = ['GRAVIX_OIDC_CLIENT_ID', 'GRAVIX_OIDC_REDIRECT_URL'] as const;

/** Sign-in is all or nothing: with an issuer, every other setting it needs is named at once. */
function checkOidc(c: z.infer<typeof querySchema>, ctx: z.RefinementCtx): void {
  if (!c.GRAVIX_OIDC_ISSUER) return;
  for (const key of oidcNeeds)
    if (!c[key])
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `${key} is required when GRAVIX_OIDC_ISSUER is set`,
      });
  // Groups per role come from the roles file, the tenants file (each tenant's roles), or both.
  if (!c.GRAVIX_OIDC_ROLES_FILE && !c.GRAVIX_TENANTS_FILE)
    ctx.addIssue({
      code: 'custom',
      path: ['GRAVIX_OIDC_ROLES_FILE'],
      message:
        'GRAVIX_OIDC_ROLES_FILE is required when GRAVIX_OIDC_ISSUER is set (or GRAVIX_TENANTS_FILE with roles)',
    });
  if (c.GRAVIX_OIDC_CLIENT_SECRET && c.GRAVIX_OIDC_CLIENT_SECRET_FILE)
    ctx.addIssue({
      code: 'custom',
      path: ['GRAVIX_OIDC_CLIENT_SECRET_FILE'],
      message: 'set GRAVIX_OIDC_CLIENT_SECRET_FILE or GRAVIX_OIDC_CLIENT_SECRET, not both',
    });
  if (new URL(c.GRAVIX_OIDC_ISSUER).protocol === 'http:' && c.GRAVIX_OIDC_ALLOW_HTTP !== 'true')
    ctx.addIssue({
      code: 'custom',
      path: ['GRAVIX_OIDC_ISSUER'],
      message:
        'a plain-HTTP issuer needs GRAVIX_OIDC_ALLOW_HTTP=true (tokens would cross the network unencrypted)',
    });
}

export type QueryConfig = z.infer<typeof querySchema> & { store: z.infer<typeof objectStoreConfigSchema> };

/** The query server's configuration from the environment; every bad key is reported at once. */
export function loadQueryConfig(env: Record<string, string | undefined>): QueryConfig {
  const input = { GRAVIX_STORE: 'local', GRAVIX_DATA_DIR: '.gravix-data', ...env };
  const [base, store] = parseAll(
    () =>
      parseConfig(
        querySchema
          .refine((c) => c.GRAVIX_QUERY_ENGINE !== 'trino' || c.GRAVIX_TRINO_URL, {
            message: 'GRAVIX_TRINO_URL is required when GRAVIX_QUERY_ENGINE is trino',
            path: ['GRAVIX_TRINO_URL'],
          })
          .superRefine(checkOidc),
        input,
      ),
    () => parseConfig(objectStoreConfigSchema, input),
  );
  // DuckDB reads the local store's Parquet files only (its npm build cannot read s3:// offline, DESIGN.md).
  if (base.GRAVIX_QUERY_ENGINE === 'duckdb' && store.GRAVIX_STORE === 's3')
    throw new ConfigError([
      'GRAVIX_QUERY_ENGINE="duckdb": DuckDB reads GRAVIX_STORE=local only; with GRAVIX_STORE=s3 set GRAVIX_QUERY_ENGINE=trino and GRAVIX_TRINO_URL',
    ]);
  return { ...base, store };
}
