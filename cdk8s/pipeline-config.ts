import type { EnvVar } from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { GravixPipeline } from '../crds/gravix-pipeline.js';
import { childName } from './naming.js';

export const HTTP_PORT = 8080;
export const MINIO_PORT = 9000;

export function configMapName(pipeline: GravixPipeline): string {
  return childName(pipeline, 'config');
}

/** The Secret holding S3 credentials: generated for MinIO, user-supplied for external S3. */
export function s3SecretName(pipeline: GravixPipeline): string {
  const { storage } = pipeline.spec;
  return storage.mode === 'external'
    ? storage.external!.secretRef!.name
    : childName(pipeline, 'minio-credentials');
}

function s3Endpoint(pipeline: GravixPipeline): string {
  const { storage } = pipeline.spec;
  if (storage.mode === 'minio') return `http://${childName(pipeline, 'minio')}:${MINIO_PORT}`;
  return storage.external?.endpoint ?? '';
}

/** Non-secret settings every worker reads (envFrom); its hash rolls the pods that consume it. */
export function buildPipelineConfig(pipeline: GravixPipeline): Record<string, string> {
  const { storage, retentionDays } = pipeline.spec;
  return {
    GRAVIX_OBJECT_STORE: 's3',
    GRAVIX_S3_ENDPOINT: s3Endpoint(pipeline),
    GRAVIX_S3_BUCKET: storage.bucket,
    GRAVIX_S3_REGION: storage.mode === 'external' ? (storage.external?.region ?? 'us-east-1') : 'us-east-1',
    GRAVIX_S3_FORCE_PATH_STYLE: String(storage.mode === 'minio'),
    GRAVIX_QUERY_ENGINE: 'trino',
    GRAVIX_TRINO_URL: `http://${childName(pipeline, 'trino')}:${HTTP_PORT}`,
    GRAVIX_RETENTION_DAYS: String(retentionDays),
  };
}

export function secretEnv(name: string, secret: string, key: string): EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secret, key } } };
}

const WORKER_S3_ENV = { accessKey: 'GRAVIX_S3_ACCESS_KEY_ID', secretKey: 'GRAVIX_S3_SECRET_ACCESS_KEY' };

export function s3CredentialEnv(pipeline: GravixPipeline, names = WORKER_S3_ENV): EnvVar[] {
  const secret = s3SecretName(pipeline);
  return [
    secretEnv(names.accessKey, secret, 'accessKeyId'),
    secretEnv(names.secretKey, secret, 'secretAccessKey'),
  ];
}
