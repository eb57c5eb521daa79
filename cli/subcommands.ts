/** The gravix CLI's subcommands; each module exports `run(argv)` and is loaded only when chosen. */
export interface Subcommand {
  summary: string;
  /**
   * What `gravix <name> --help` prints: usage, options, where the configuration is described. The CLI answers
   * --help before loading the module, so asking for help never starts a server or reads configuration.
   */
  help: string;
  load(): Promise<{ run(argv: string[]): Promise<number> }>;
}

const helpFlag = '  -h, --help  print this help and exit';

export const subcommands: Record<string, Subcommand> = {
  dev: {
    summary: 'embedded pipeline: ingest + rollup + query + dashboard',
    help: `usage: gravix dev [--demo [--history 8d]] [--alerts rules.yaml] [--tenants tenants.yaml]

The embedded pipeline in one process on a data directory: ingestion on 127.0.0.1:8081, a rollup every minute, and
the query API with the dashboard on 127.0.0.1:8080 (DuckDB). The API key is created once in <data dir>/dev-api-key.
The pipeline runs in a child of this process, started with node's --max-semi-space-size=4, MALLOC_ARENA_MAX=2 and
MALLOC_MMAP_THRESHOLD_=131072 (unless you set them); signals, output and the exit code pass through, and the child stops when this process dies.
One pipeline per data directory: a second gravix dev on it exits with DATA_DIR_IN_USE.

options:
  --demo      send realistic synthetic traffic, so charts appear within a minute
  --history D with --demo: first send D (90m, 36h, 8d; at most 30d) of back-dated demo traffic with deploys and
              incidents through ingestion, so week-over-week and markers show at once (8d: ~8M facts)
  --alerts F  evaluate the alert rules of YAML file F in-process (docs/alerts.md); channels from
              GRAVIX_ALERT_CHANNELS_FILE
  --tenants F tenants with quotas, retention and OIDC groups from YAML file F (docs/security.md, the
              GravixTenant schema); re-read when it changes
${helpFlag}

configuration (environment): GRAVIX_DATA_DIR (default .gravix-data), GRAVIX_ROLLUP_INTERVAL_MS (60000),
GRAVIX_DEMO_RATE (mean requests per second of --demo and --history, 12), GRAVIX_DEV_CHILD_PROCESS (true; false runs
the pipeline in this process), GRAVIX_DEV_SEMI_SPACE_MB (4), GRAVIX_DEV_MALLOC_ARENA_MAX (2),
GRAVIX_DEV_MALLOC_MMAP_THRESHOLD_KB (128; 0 leaves each to node or glibc), and the
keys of gravix ingest and gravix query (workers/dev/config.ts, workers/ingest/config.ts, workers/query/config.ts).`,
    load: () => import('../workers/dev/dev-command.js'),
  },
  ingest: {
    summary: 'ingestion worker (HTTP API + write-ahead log)',
    help: `usage: gravix ingest [--rescue]

The ingestion API (POST /api/v1/facts, POST /api/v1/events; docs/openapi/gravix-api.yaml) with its write-ahead log;
sealed segments are uploaded to the object store. Runs until SIGTERM, then drains.

options:
  --rescue    serve nothing: upload what the data directory's write-ahead log holds and exit, 0 once nothing is
              left, 3 when GRAVIX_SHUTDOWN_DEADLINE_MS passed first (the Kubernetes rescue Job, docs/adr/0067)
${helpFlag}

configuration (environment, every key and default in workers/ingest/config.ts): GRAVIX_API_KEYS_FILE (required),
GRAVIX_INGEST_PORT (8081), GRAVIX_DATA_DIR, GRAVIX_STORE=local|s3 and GRAVIX_S3_*, limits (GRAVIX_MAX_BODY_BYTES,
GRAVIX_MAX_ITEMS_PER_BATCH, GRAVIX_RATE_PER_SECOND, GRAVIX_RATE_BURST, GRAVIX_DISK_BUDGET_BYTES).`,
    load: () => import('../workers/ingest/main.js'),
  },
  rollup: {
    summary: 'rollup worker (raw segments -> minute metrics)',
    help: `usage: gravix rollup [--once | --backfill --from T --to T | --derive-missing] [--force] [--include-open]

Rolls raw segments up into the minute, hour, day and service metrics tables. Without a mode it loops (a pass every
GRAVIX_ROLLUP_INTERVAL_SECONDS, 60) and serves /metrics; exit code 1 when a partition failed (--once, --backfill).

options:
  --once            one pass over every closed hour, then exit
  --backfill        one pass over [--from, --to) (ms since epoch or RFC 3339), without retention
  --derive-missing  derive the hour, day and service tables for partitions rolled up before they existed
  --force           recompute partitions even when their manifest is up to date
  --include-open    include the hour still in progress
${helpFlag}

configuration (environment): workers/rollup/config.ts and workers/rollup/README.md.`,
    load: () => import('../workers/rollup/main.js'),
  },
  'trino-probe': {
    summary: 'readiness sidecar of a Trino pod: /ready runs SELECT 1',
    help: `usage: gravix trino-probe

Serves /ready (200 when SELECT 1 on the Trino in the same pod returns one row, else 503 with the reason) and /live,
so a Trino pod turns Ready only once it accepts queries, not when its port opens.

options:
${helpFlag}

configuration (environment): GRAVIX_TRINO_PROBE_SERVER (http://127.0.0.1:8080), GRAVIX_TRINO_PROBE_PORT (9466),
GRAVIX_TRINO_PROBE_TIMEOUT_MS (4000); workers/trino-probe/config.ts.`,
    load: () => import('../workers/trino-probe/main.js'),
  },
  'storage-setup': {
    summary: 'create the bucket and least-privilege MinIO users (the pipeline storage Job)',
    help: `usage: gravix storage-setup
       gravix storage-setup --wait-for <component>

Creates the bucket (an external one only with GRAVIX_STORAGE_CREATE_BUCKET) and one least-privilege MinIO user per
component; with --wait-for, waits until that component can use the bucket with its own credentials.

options:
  --wait-for <component>  wait for one component's access (the worker pods' init container)
${helpFlag}

configuration (environment): GRAVIX_S3_BUCKET, GRAVIX_S3_ENDPOINT, GRAVIX_S3_ACCESS_KEY_ID,
GRAVIX_S3_SECRET_ACCESS_KEY and the rest in workers/storage-setup/config.ts (docs/adr/0063).`,
    load: () => import('../workers/storage-setup/main.js'),
  },
  query: {
    summary: 'query API and dashboard server',
    help: `usage: gravix query

The query API (docs/query-api.md, docs/openapi/gravix-api.yaml) and the dashboard, on DuckDB or Trino; /metrics on
its own port. Runs until SIGTERM.

options:
${helpFlag}

configuration (environment, every key and default in workers/query/config.ts): GRAVIX_API_KEYS_FILE (required),
GRAVIX_QUERY_PORT (8080), GRAVIX_QUERY_METRICS_PORT (9464), GRAVIX_QUERY_ENGINE=duckdb|trino, GRAVIX_TRINO_URL,
GRAVIX_STORE=local|s3 and GRAVIX_S3_*, the guards GRAVIX_QUERY_TIMEOUT_MS and GRAVIX_QUERY_TENANT_*; sign-in for
people through an OpenID provider: GRAVIX_OIDC_ISSUER, GRAVIX_OIDC_CLIENT_ID, GRAVIX_OIDC_CLIENT_SECRET (or
GRAVIX_OIDC_CLIENT_SECRET_FILE, re-read at each sign-in), GRAVIX_OIDC_REDIRECT_URL, GRAVIX_OIDC_ROLES_FILE (docs/security.md, "Sign-in for people").`,
    load: () => import('../workers/query/main.js'),
  },
  alert: {
    summary: 'alert worker (rules over committed minutes -> Slack, webhooks, Alertmanager)',
    help: `usage: gravix alert

Evaluates the alert rules each minute over the minutes the rollup has committed, through the query engine (DuckDB
or Trino), keeps pending/firing state in the object store and notifies Slack, signed webhooks and Alertmanager.
Runs until SIGTERM; /metrics, /live, /ready on GRAVIX_ALERT_METRICS_PORT (9465). docs/alerts.md.

options:
${helpFlag}

configuration (environment, workers/alert/config.ts): GRAVIX_ALERT_RULES_FILE, GRAVIX_ALERT_CHANNELS_FILE,
GRAVIX_ALERT_DASHBOARD_URL, GRAVIX_ALERT_INTERVAL_MS (60000), GRAVIX_ALERT_SETTLE_MS (75000), and the store and
engine keys of gravix query (GRAVIX_STORE, GRAVIX_QUERY_ENGINE, GRAVIX_TRINO_URL, ...).`,
    load: () => import('../workers/alert/main.js'),
  },
  operator: {
    summary: 'Kubernetes operator for GravixPipeline',
    help: `usage: gravix operator

Reconciles GravixPipeline objects into their children; /healthz, /readyz and /metrics on its HTTP port. Runs until
SIGTERM, then finishes in-flight reconciles and releases its lease.

options:
${helpFlag}

configuration (environment, every key and default in operator/config.ts; operator/README.md):
GRAVIX_OPERATOR_KUBECONFIG (in-cluster config when unset), GRAVIX_OPERATOR_NAMESPACE ('' for all),
GRAVIX_OPERATOR_LEADER_ELECT, GRAVIX_OPERATOR_HTTP_PORT (8080).`,
    load: () => import('../operator/main.js'),
  },
  'crd-upgrade': {
    summary: "apply this release's GravixPipeline CRD and migrate stored pipelines to its storage version",
    help: `usage: gravix crd-upgrade

Applies the GravixPipeline CRD this release ships (server-side apply), waits until the apiserver stores new writes
in its storage version, writes every stored pipeline back unchanged (so etcd holds them in that version), then
drops the older versions from the CRD's status.storedVersions. Idempotent; the operator chart runs it as a
pre-install/pre-upgrade hook Job (docs/adr/0070). Exit 0 when done, 1 on failure (the log says why).

options:
${helpFlag}

configuration (environment): GRAVIX_OPERATOR_KUBECONFIG (in-cluster config when unset), GRAVIX_OPERATOR_LOG_LEVEL.`,
    load: () => import('../operator/crd-upgrade-command.js'),
  },
  loadgen: {
    summary: 'realistic synthetic traffic generator',
    help: `usage: gravix loadgen --url http://host:8081 --key KEY [--rate 200] [--flat] [--duration 60]
  [--services 8] [--paths 12] [--seed 1] [--deploy-every 900]

Sends modelled traffic (diurnal and weekly rate, heavy-tailed latency, error spikes, a slow endpoint, duplicates,
deploys; services and routes named like a shop's backend: checkout, payments, search, auth, ...) to an ingest URL; exit code 1 when a batch was not accepted.

options:
  --url URL           the ingest server (required)
  --key KEY           an API key with the ingest scope (required)
  --rate N            mean facts per second over a week (200): the modelled day and week send 0.26-1.8x
                      of it at a given hour (quiet at night UTC, busiest mid-afternoon, weekends at 65%)
  --flat              send --rate facts every second instead (no daily or weekly curve)
  --duration S        seconds to run (60)
  --services N        services (8), --paths N paths per service (12)
  --seed N            seed of the traffic model (1)
  --deploy-every S    seconds between deploy markers (900)
${helpFlag}`,
    load: () => import('../workers/loadgen/main.js'),
  },
  keys: {
    summary: 'create, list, rotate and revoke API keys (admin)',
    help: `usage: gravix keys list
       gravix keys create --name NAME --scopes ingest,query[,operator,admin] [--expires-in-days N]
       gravix keys rotate KEY_ID [--overlap SECONDS]
       gravix keys revoke KEY_ID

Manages the API keys of the admin key's tenant through the query server's key API (docs/security.md). A new secret
is printed once, in the JSON answer; only its SHA-256 is stored. list also shows the tenant's keys of the keys file
(GRAVIX_API_KEYS_FILE, e.g. dev-api-key) as fileKeys, which only that file changes. create refuses a name a working
key of the tenant or a key of the keys file has (KEY_NAME_TAKEN). Every server accepts a change within
GRAVIX_KEYS_RELOAD_MS (2 s). Exit code 1 when the server refused the call (its error body goes to stderr), 2 for
bad arguments.

options:
  --url URL           the query server (GRAVIX_URL, default http://127.0.0.1:8080)
  --key KEY           a key with the admin scope (GRAVIX_KEY); or --key-file FILE (gravix dev: .gravix-data/dev-api-key)
  --overlap SECONDS   rotate: how long the old secret keeps working (3600)
${helpFlag}`,
    load: () => import('../workers/keys/main.js'),
  },
  synth: {
    summary: 'print the manifests for a GravixPipeline (-f pipeline.yaml)',
    help: `usage: gravix synth -f pipeline.yaml [--without-prometheus-operator]

Prints every child of each GravixPipeline in the file as YAML, for GitOps users. GravixTenant objects in the same
file that name one of its pipelines go into that pipeline's tenants ConfigMap. Generated Secrets get fresh random
values on every run: commit them once (or seal them) and keep them.

options:
  -f, --filename FILE            the GravixPipeline (and GravixTenant) manifest(s) (required)
  --without-prometheus-operator  leave out ServiceMonitor and PrometheusRule objects
${helpFlag}`,
    load: () => import('../cdk8s/main.js'),
  },
};

/** Whether argv asks for a subcommand's help (`--help` or `-h` anywhere among its arguments). */
export const wantsHelp = (argv: readonly string[]): boolean => argv.includes('--help') || argv.includes('-h');
