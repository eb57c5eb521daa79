import { parseArgs } from 'node:util';
import { z } from 'zod';
import {
  objectStoreConfigSchema,
  type ObjectStoreConfig,
} from '../adapters/object-store/object-store-config.js';
import { parseRfc3339 } from '../domain/rfc3339.js';
import { ConfigError, parseAll, parseConfig } from '../shared/config-error.js';
import type { PartitionLimits } from './domain/partition-accumulator.js';

const int = (min: number) => z.coerce.number().int().min(min);
const day = 86_400_000;

const rollupEnvSchema = z
  .object({
    GRAVIX_ROLLUP_LATENESS_SECONDS: int(0).default(300),
    GRAVIX_ROLLUP_INCLUDE_OPEN: z.enum(['true', 'false']).default('false'),
    GRAVIX_ROLLUP_INTERVAL_SECONDS: int(1).default(60),
    /** Loop mode only: serve /metrics, /ready and /live on this port (unset: no HTTP server). */
    GRAVIX_ROLLUP_HTTP_PORT: int(0).max(65535).optional(),
    GRAVIX_ROLLUP_HTTP_HOST: z.string().min(1).default('0.0.0.0'),
    /** Unset = 1 worker when there are 2+ CPUs; 0 = scan on the main thread (lowest memory). */
    GRAVIX_ROLLUP_SCAN_THREADS: int(0).max(16).optional(),
    /** Old-generation heap of each scan worker; a worker past it dies, fails its partition and is replaced. */
    GRAVIX_ROLLUP_SCAN_WORKER_HEAP_MB: int(8).max(4096).default(32),
    GRAVIX_ROLLUP_SCAN_TIMEOUT_SECONDS: int(1).default(300),
    /** Dedupe set budget per partition; past it the hour is deduped in hash slices (one more read each). */
    GRAVIX_ROLLUP_DEDUPE_MEMORY_MB: int(1).max(65_536).default(256),
    /** Most (minute, service, method, path) rows per partition; past it that partition fails, not the process. */
    GRAVIX_ROLLUP_MAX_PARTITION_ROWS: int(1).default(25_000),
    /** Loop mode: a failing partition is retried after 1, 2, 4 ... minutes, at most this long apart. */
    GRAVIX_ROLLUP_RETRY_BACKOFF_MAX_SECONDS: int(60).default(3600),
    GRAVIX_RAW_RETENTION_DAYS: int(1).default(7),
    GRAVIX_METRICS_RETENTION_DAYS: int(1).default(90),
    // Tenants whose retention overrides the two above (crds/gravix-tenant-spec.ts; the operator's ConfigMap).
    GRAVIX_TENANTS_FILE: z.string().min(1).optional(),
    /** Test only: hold at each phase boundary this long so the kill -9 fault test can land inside it. */
    GRAVIX_ROLLUP_TEST_PHASE_PAUSE_MS: int(0).max(10_000).default(0),
    GRAVIX_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .refine((env) => env.GRAVIX_METRICS_RETENTION_DAYS >= env.GRAVIX_RAW_RETENTION_DAYS, {
    path: ['GRAVIX_METRICS_RETENTION_DAYS'],
    message: 'must be >= GRAVIX_RAW_RETENTION_DAYS (metrics are rebuilt from raw data while it is retained)',
  });

/**
 * RFC 3339 or epoch milliseconds, strictly (the query API's reader): `Date.parse` also took `2026-11-01` (UTC
 * midnight) and `Nov 1 2026 10:00` (the machine's local time), so a backfill could cover other hours than asked.
 */
const instant = z.string().transform((value, ctx) => {
  const ms = /^\d+$/.test(value) ? Number(value) : parseRfc3339(value);
  if (ms === undefined) ctx.addIssue({ code: 'custom', message: `'${value}' is not RFC 3339 or epoch ms` });
  return ms ?? Number.NaN;
});

const argvSchema = z
  .object({
    once: z.boolean().default(false),
    backfill: z.boolean().default(false),
    'derive-missing': z.boolean().default(false),
    from: instant.optional(),
    to: instant.optional(),
    force: z.boolean().default(false),
    'include-open': z.boolean().default(false),
  })
  .superRefine((args, ctx) => {
    if (args.once && args.backfill)
      ctx.addIssue({ code: 'custom', path: ['--once'], message: 'conflicts with --backfill' });
    if (args['derive-missing'] && (args.once || args.backfill))
      ctx.addIssue({
        code: 'custom',
        path: ['--derive-missing'],
        message: 'conflicts with --once and --backfill',
      });
    for (const key of ['from', 'to'] as const) {
      if (args.backfill && args[key] === undefined) {
        ctx.addIssue({ code: 'custom', path: [`--${key}`], message: 'is required with --backfill' });
      }
    }
    if (args.from !== undefined && args.to !== undefined && args.from >= args.to) {
      ctx.addIssue({ code: 'custom', path: ['--to'], message: 'must be after --from' });
    }
  });

export type RollupMode =
  | { kind: 'loop' }
  | { kind: 'once' }
  | { kind: 'backfill'; fromMs: number; toMs: number }
  | { kind: 'derive-missing' };

export interface RollupConfig {
  mode: RollupMode;
  force: boolean;
  includeOpen: boolean;
  latenessMs: number;
  intervalMs: number;
  /** Loop mode's metrics and probe server; undefined when GRAVIX_ROLLUP_HTTP_PORT is unset. */
  http: { host: string; port: number } | undefined;
  scanThreads: number | undefined;
  scanWorkerHeapMb: number;
  scanTimeoutMs: number;
  limits: PartitionLimits;
  retryBackoffMaxMs: number;
  rawRetentionMs: number;
  metricsRetentionMs: number;
  tenantsFile: string | undefined;
  logLevel: string;
  /** Test only (fault injection): see test-phase-pause.ts. */
  testPhasePauseMs: number;
  store: ObjectStoreConfig;
}

function parseArgv(argv: string[]): z.infer<typeof argvSchema> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        once: { type: 'boolean' },
        backfill: { type: 'boolean' },
        'derive-missing': { type: 'boolean' },
        from: { type: 'string' },
        to: { type: 'string' },
        force: { type: 'boolean' },
        'include-open': { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new ConfigError([`argv: ${(error as Error).message}`]);
  }
  return parseConfig(argvSchema, values);
}

/** The rollup worker's whole configuration from env and argv; every bad key is reported at once. */
export function loadRollupConfig(env: Record<string, string | undefined>, argv: string[]): RollupConfig {
  const withStoreDefault = { GRAVIX_STORE: 'local', GRAVIX_DATA_DIR: '.gravix-data', ...env };
  const [[base, store], args] = parseAll(
    () =>
      parseAll(
        () => parseConfig(rollupEnvSchema, withStoreDefault),
        () => parseConfig(objectStoreConfigSchema, withStoreDefault),
      ),
    () => parseArgv(argv),
  );
  let mode: RollupMode = { kind: args.once ? 'once' : 'loop' };
  if (args.backfill) mode = { kind: 'backfill', fromMs: args.from!, toMs: args.to! };
  if (args['derive-missing']) mode = { kind: 'derive-missing' };
  return {
    mode,
    force: args.force,
    includeOpen: args['include-open'] || base.GRAVIX_ROLLUP_INCLUDE_OPEN === 'true',
    latenessMs: base.GRAVIX_ROLLUP_LATENESS_SECONDS * 1000,
    intervalMs: base.GRAVIX_ROLLUP_INTERVAL_SECONDS * 1000,
    http:
      base.GRAVIX_ROLLUP_HTTP_PORT === undefined
        ? undefined
        : { host: base.GRAVIX_ROLLUP_HTTP_HOST, port: base.GRAVIX_ROLLUP_HTTP_PORT },
    scanThreads: base.GRAVIX_ROLLUP_SCAN_THREADS,
    scanWorkerHeapMb: base.GRAVIX_ROLLUP_SCAN_WORKER_HEAP_MB,
    scanTimeoutMs: base.GRAVIX_ROLLUP_SCAN_TIMEOUT_SECONDS * 1000,
    limits: {
      dedupeBudgetBytes: base.GRAVIX_ROLLUP_DEDUPE_MEMORY_MB * 1024 * 1024,
      maxPartitionRows: base.GRAVIX_ROLLUP_MAX_PARTITION_ROWS,
    },
    retryBackoffMaxMs: base.GRAVIX_ROLLUP_RETRY_BACKOFF_MAX_SECONDS * 1000,
    rawRetentionMs: base.GRAVIX_RAW_RETENTION_DAYS * day,
    metricsRetentionMs: base.GRAVIX_METRICS_RETENTION_DAYS * day,
    tenantsFile: base.GRAVIX_TENANTS_FILE,
    logLevel: base.GRAVIX_LOG_LEVEL,
    testPhasePauseMs: base.GRAVIX_ROLLUP_TEST_PHASE_PAUSE_MS,
    store,
  };
}
