import type { EnvVar } from './k8s-imports.js';
import type { GravixPipeline } from '../crds/gravix-pipeline.js';
import type { StorageComponent } from '../workers/storage-setup/domain/component-policies.js';
import { childName } from './naming.js';

export const HTTP_PORT = 8080;
/**
 * Every worker Service's `metrics` port, the one the ServiceMonitor scrapes. The query server serves /metrics on a
 * listener of its own (this port) so the Ingress, which routes its HTTP port, never exposes it; ingest and rollup
 * still serve /metrics on their HTTP port, which their Services map this port to.
 */
export const METRICS_PORT = 9464;
export const MINIO_PORT = 9000;

export function configMapName(pipeline: GravixPipeline): string {
  return childName(pipeline, 'config');
}

/** MinIO's root credentials: only MinIO itself and the storage Job see them. */
export function minioRootSecretName(pipeline: GravixPipeline): string {
  return childName(pipeline, 'minio-credentials');
}

/** A component's own MinIO user (docs/adr/0063), created by the storage Job with its least-privilege policy. */
export function componentSecretName(pipeline: GravixPipeline, component: StorageComponent): string {
  return childName(pipeline, `s3-${component}`);
}

/** The Secret a component takes S3 credentials from: its own MinIO user, or the user's Secret for external S3. */
export function s3SecretName(pipeline: GravixPipeline, component: StorageComponent): string {
  const { storage } = pipeline.spec;
  return storage.mode === 'external'
    ? storage.external!.secretRef!.name
    : componentSecretName(pipeline, component);
}

export function s3Endpoint(pipeline: GravixPipeline): string {
  const { storage } = pipeline.spec;
  if (storage.mode === 'minio') return `http://${childName(pipeline, 'minio')}:${MINIO_PORT}`;
  return storage.external?.endpoint ?? '';
}

export function s3Region(pipeline: GravixPipeline): string {
  const { storage } = pipeline.spec;
  return storage.mode === 'external' ? (storage.external?.region ?? 'us-east-1') : 'us-east-1';
}

/** Where pods find the hashed API keys file (from the generated `<name>-api-keys` Secret). */
export const API_KEYS_DIR = '/etc/gravix/api-keys';
export const DATA_DIR = '/var/lib/gravix';
/** Raw segments are only needed to rebuild recent minutes; the workers require raw <= metrics retention. */
const RAW_RETENTION_DAYS = 7;
const WAL_SEGMENT_AGE_MS = 20_000;

/**
 * Non-secret settings every worker reads (envFrom), named as the workers' config schemas name them
 * (workers/adapters/object-store, workers/{ingest,query,rollup}/config.ts); its hash rolls the pods that read it.
 */
export function buildPipelineConfig(pipeline: GravixPipeline): Record<string, string> {
  const { storage, retentionDays } = pipeline.spec;
  const rawDays = Math.min(RAW_RETENTION_DAYS, retentionDays);
  const endpoint = s3Endpoint(pipeline);
  return {
    GRAVIX_STORE: 's3',
    // The workers validate the endpoint as a URL; unset means AWS S3.
    ...(endpoint ? { GRAVIX_S3_ENDPOINT: endpoint } : {}),
    GRAVIX_S3_BUCKET: storage.bucket,
    GRAVIX_S3_REGION: s3Region(pipeline),
    GRAVIX_DATA_DIR: DATA_DIR,
    GRAVIX_API_KEYS_FILE: `${API_KEYS_DIR}/keys.json`,
    GRAVIX_INGEST_PORT: String(HTTP_PORT),
    GRAVIX_INGEST_METRICS_PORT: String(METRICS_PORT),
    GRAVIX_QUERY_PORT: String(HTTP_PORT),
    GRAVIX_QUERY_METRICS_PORT: String(METRICS_PORT),
    GRAVIX_QUERY_ENGINE: 'trino',
    GRAVIX_TRINO_URL: `http://${childName(pipeline, 'trino')}:${HTTP_PORT}`,
    GRAVIX_TRINO_CATALOG: 'hive',
    GRAVIX_TRINO_SCHEMA: 'gravix',
    // Sealed segments reach the store within 20 s, so with the rollup's interval charts lag about a minute.
    GRAVIX_WAL_SEGMENT_AGE_MS: String(WAL_SEGMENT_AGE_MS),
    // How long a stopping ingester tries to upload its log; the ingest pods' grace period is three times that.
    GRAVIX_SHUTDOWN_DEADLINE_MS: String(INGEST_SHUTDOWN_DEADLINE_SECONDS * 1000),
    GRAVIX_METRICS_RETENTION_DAYS: String(retentionDays),
    GRAVIX_RAW_RETENTION_DAYS: String(rawDays),
    // Ingest takes facts up to this old, no older than raw retention: the rollup retires a raw partition past it,
    // and a fact landing after that is kept but never counted (workers/rollup/README.md, retention). With
    // retentionDays 3 and ingest's own 7-day default, a 4-day-old fact was acknowledged and never counted.
    GRAVIX_MAX_PAST_MS: String(rawDays * 86_400_000),
  };
}

/** Seconds a stopping ingester may spend uploading its write-ahead log. */
export const INGEST_SHUTDOWN_DEADLINE_SECONDS = 20;

export function secretEnv(name: string, secret: string, key: string): EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secret, key } } };
}

export const WORKER_S3_ENV = {
  accessKey: 'GRAVIX_S3_ACCESS_KEY_ID',
  secretKey: 'GRAVIX_S3_SECRET_ACCESS_KEY',
};

export function s3CredentialEnv(
  pipeline: GravixPipeline,
  component: StorageComponent,
  names = WORKER_S3_ENV,
): EnvVar[] {
  const secret = s3SecretName(pipeline, component);
  return [
    secretEnv(names.accessKey, secret, 'accessKeyId'),
    secretEnv(names.secretKey, secret, 'secretAccessKey'),
  ];
}
