import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { minJsonDepthLimit } from './fast-facts/scan-fact-array.js';
import { objectStoreConfigSchema } from '../adapters/object-store/object-store-config.js';
import { tenantIdPattern } from '../domain/raw-record.js';
import { defaultQuotaStaleMs } from '../domain/quota-replicas.js';
import { parseAll, parseConfig } from '../shared/config-error.js';

const int = (min: number) => z.coerce.number().int().min(min);
const mib = 1024 * 1024;

const ingestSchema = z
  .object({
    GRAVIX_INGEST_HOST: z.string().default('0.0.0.0'),
    GRAVIX_INGEST_PORT: int(0).max(65535).default(8081),
    // /metrics is served here only, never on the public port: the Ingress routes the public port, the
    // ServiceMonitor scrapes this one (every worker Service's `metrics` port, 9464).
    GRAVIX_INGEST_METRICS_PORT: int(0).max(65535).default(9464),
    GRAVIX_DATA_DIR: z.string().min(1).default('.gravix-data'),
    GRAVIX_API_KEYS_FILE: z.string().min(1),
    // How often the managed keys document in the store is checked for changes (docs/adr/0069): the longest a
    // revoke or a new key takes to reach this server.
    GRAVIX_KEYS_RELOAD_MS: z.coerce.number().int().min(100).max(300_000).default(2000),
    GRAVIX_INGESTER_ID: z
      .string()
      .regex(tenantIdPattern, `must match ${tenantIdPattern.source}`)
      .default(
        hostname()
          .toLowerCase()
          .replace(/[^a-z0-9-]/g, '-')
          .slice(0, 63),
      ),
    GRAVIX_WAL_SEGMENT_BYTES: int(4096).default(64 * mib),
    GRAVIX_WAL_SEGMENT_AGE_MS: int(100).default(60_000),
    // 1: sealed segments are packed (re-serialised, gzipped) on a worker thread, so a 64 MiB segment does not
    // stall request handling; 0: on the event loop (gravix dev's default: small segments, one process's memory).
    GRAVIX_WAL_PACK_THREADS: int(0).max(1).default(1),
    // While several tenants wait for the WAL, each joins a group commit with at most this many bytes, so a
    // neighbour's fact never waits for one tenant's megabytes to reach the disk (docs/adr/0090); 0 = off.
    GRAVIX_WAL_TENANT_GROUP_BYTES: int(0).default(512 * 1024),
    // A tenant with more than this many bytes queued or being written in the WAL's small commit lane (any batch
    // larger than this, or a flood of small ones) has its further batches committed in the bulk lane, whose
    // segment and fsyncs are its own, so a neighbour's fact never waits for its bytes (docs/adr/0126); 0 = one lane.
    GRAVIX_WAL_SMALL_LANE_TENANT_BYTES: int(0).default(64 * 1024),
    GRAVIX_DISK_BUDGET_BYTES: int(mib).default(2048 * mib),
    GRAVIX_MAX_BODY_BYTES: int(1024).default(10 * mib),
    GRAVIX_MAX_ITEMS_PER_BATCH: int(1).default(10_000),
    // Rate limits are per tenant (every key of a tenant shares them) and count items and bytes on the wire.
    GRAVIX_RATE_PER_SECOND: int(1).default(50_000),
    GRAVIX_RATE_BURST: int(1).default(100_000),
    GRAVIX_RATE_BYTES_PER_SECOND: int(1).default(50 * mib),
    GRAVIX_RATE_BYTES_BURST: int(1).default(100 * mib),
    // The largest share of GRAVIX_DISK_BUDGET_BYTES one tenant's unuploaded data may hold, in percent.
    GRAVIX_TENANT_DISK_SHARE_PERCENT: int(1).max(100).default(50),
    GRAVIX_MAX_JSON_DEPTH: int(minJsonDepthLimit).max(1000).default(32),
    // Slow and idle clients: a request must send its headers, then its whole body, within these; idle
    // keep-alive connections close after GRAVIX_KEEP_ALIVE_TIMEOUT_MS; past GRAVIX_MAX_CONNECTIONS new ones are
    // refused, so a slowloris holds at most that many sockets.
    GRAVIX_HEADERS_TIMEOUT_MS: int(1000).default(10_000),
    GRAVIX_REQUEST_TIMEOUT_MS: int(1000).default(60_000),
    GRAVIX_KEEP_ALIVE_TIMEOUT_MS: int(1000).default(65_000),
    GRAVIX_MAX_CONNECTIONS: int(1).default(2048),
    // Batches of one tenant read and parsed at once (the event loop's CPU); more wait unread in the tenant's own
    // queue, and past GRAVIX_TENANT_MAX_WAITING_BATCHES are refused with 429, so a neighbour's batch waits behind
    // at most this many of any one tenant's.
    GRAVIX_TENANT_MAX_ACTIVE_BATCHES: int(1).max(1000).default(4),
    GRAVIX_TENANT_MAX_WAITING_BATCHES: int(0).max(100_000).default(512),
    // Read bodies are parsed in turns, one tenant per turn with a yield to the event loop between tenants, each
    // turn spending at most this many body bytes (a larger body waits for its tenant's credit to cover it), so a
    // neighbour's small batch waits for one turn of each busy tenant, not for every body that arrived before it
    // (docs/adr/0100); 0 = off (each body is parsed as it arrives).
    GRAVIX_TENANT_TURN_BYTES: int(0)
      .max(1024 * mib)
      .default(64 * 1024),
    GRAVIX_ROUTE_BUDGET: int(1).default(500),
    // Tenants with their quotas (crds/gravix-tenant-spec.ts; on Kubernetes the operator's ConfigMap): unset = no
    // tenant has quotas beyond the limits here.
    GRAVIX_TENANTS_FILE: z.string().min(1).optional(),
    // How often an ingest replica announces itself and reads the others' announcements (docs/adr/0080), and how
    // long a replica may stay silent before it counts as gone and its share of each rate quota goes back to the
    // others. A beat is a put with fsync: on a busy disk one can take seconds, hence the wide window (a replica
    // stopping says so in a last beat, so only a killed one waits it out).
    GRAVIX_QUOTA_BEAT_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
    GRAVIX_QUOTA_STALE_MS: z.coerce.number().int().min(1000).max(600_000).default(defaultQuotaStaleMs),
    // Distinct services per tenant; past it, new services fold into the overflow service.
    GRAVIX_SERVICE_BUDGET: int(1).default(1000),
    // Distinct routes per tenant across its services: with the service budget, what bounds a tenant's memory.
    GRAVIX_TENANT_ROUTE_BUDGET: int(1).default(20_000),
    GRAVIX_MAX_PAST_MS: int(0).default(7 * 86_400_000),
    GRAVIX_MAX_FUTURE_MS: int(0).default(3_600_000),
    GRAVIX_SHUTDOWN_DEADLINE_MS: int(0).default(20_000),
    GRAVIX_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    // Test-only: hold the ingester in a narrow state (mid-seal, mid-upload, uploaded but not yet deleted) for this
    // long, after logging a 'test pause' marker, so the fault test can kill it there. 0 (the default) = no pause.
    GRAVIX_TEST_SEAL_DELAY_MS: int(0).default(0),
    GRAVIX_TEST_UPLOAD_DELAY_MS: int(0).default(0),
    GRAVIX_TEST_DELETE_DELAY_MS: int(0).default(0),
  })
  // A full batch must fit in a full bucket, or it could never be accepted, however long the client waits.
  .refine((c) => c.GRAVIX_RATE_BURST >= c.GRAVIX_MAX_ITEMS_PER_BATCH, {
    path: ['GRAVIX_RATE_BURST'],
    message: 'must be at least GRAVIX_MAX_ITEMS_PER_BATCH, or a full batch is refused forever',
  })
  .refine((c) => c.GRAVIX_RATE_BYTES_BURST >= c.GRAVIX_MAX_BODY_BYTES, {
    path: ['GRAVIX_RATE_BYTES_BURST'],
    message: 'must be at least GRAVIX_MAX_BODY_BYTES, or a body of the largest size is refused forever',
  })
  .refine((c) => c.GRAVIX_QUOTA_STALE_MS >= 2 * c.GRAVIX_QUOTA_BEAT_MS, {
    path: ['GRAVIX_QUOTA_STALE_MS'],
    message:
      'must be at least twice GRAVIX_QUOTA_BEAT_MS, or live replicas would count as gone between beats',
  })
  .refine((c) => c.GRAVIX_HEADERS_TIMEOUT_MS <= c.GRAVIX_REQUEST_TIMEOUT_MS, {
    path: ['GRAVIX_HEADERS_TIMEOUT_MS'],
    message: 'must be at most GRAVIX_REQUEST_TIMEOUT_MS',
  });

export type IngestConfig = z.infer<typeof ingestSchema> & { store: z.infer<typeof objectStoreConfigSchema> };

/** The ingestion worker's whole configuration, from the environment; every bad key is reported at once. */
export function loadIngestConfig(env: Record<string, string | undefined>): IngestConfig {
  const withStoreDefault = { GRAVIX_STORE: 'local', GRAVIX_DATA_DIR: '.gravix-data', ...env };
  const [base, store] = parseAll(
    () => parseConfig(ingestSchema, withStoreDefault),
    () => parseConfig(objectStoreConfigSchema, withStoreDefault),
  );
  return { ...base, store };
}

export const walDir = (config: IngestConfig) => join(config.GRAVIX_DATA_DIR, 'wal');
