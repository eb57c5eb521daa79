import {
  auditPrefix,
  identityPrefix,
  ingestCardinalityPrefix,
  ingestReplicaPrefix,
  keyUsagePrefix,
  signInFailuresPrefix,
} from '../../domain/identity-layout.js';
import { metricsPrefix } from '../../domain/metrics-layout.js';
import { alertsPrefix } from '../../alert/domain/alert-keys.js';
import { savedViewsPrefix } from '../../query/domain/saved-views-doc.js';

/**
 * Which pipeline component may do what in the bucket: the one owner of the per-component MinIO policies
 * (docs/adr/0063). Every key a worker reads or writes starts with one of these prefixes.
 */
export const STORE_PREFIXES = {
  raw: 'raw/',
  deadLetter: 'dead-letter/',
  metrics: metricsPrefix,
  /** Trino's file metastore (cdk8s/trino-config.ts: hive.metastore.catalog.dir). */
  trinoMetastore: 'trino-metastore/',
  /** Location of Trino's schema (workers/query/adapters/trino-query-engine.ts: CREATE SCHEMA ... location). */
  trinoSchema: 'trino/',
  /** Managed API keys and their usage (workers/domain/identity-layout.ts). */
  identity: identityPrefix,
  keyUsage: keyUsagePrefix,
  /** Ingest replicas' beats, by which they share tenant quotas (docs/adr/0080). */
  ingestReplicas: ingestReplicaPrefix,
  /** The names each ingest replica admitted for tenants with cardinality quotas (docs/adr/0090). */
  ingestCardinality: ingestCardinalityPrefix,
  /** Failed sign-ins, counted for every query replica (docs/adr/0090); old buckets are deleted. */
  signInFailures: signInFailuresPrefix,
  /** The append-only audit log. */
  audit: auditPrefix,
  /** Alert rules, states, silences, history and delivery records (workers/alert/domain/alert-keys.ts). */
  alerts: alertsPrefix,
  /** Saved dashboard views, one document per tenant (workers/query/domain/saved-views-doc.ts). */
  views: savedViewsPrefix,
} as const;

export const STORAGE_COMPONENTS = ['ingest', 'rollup', 'query', 'trino', 'alert'] as const;
export type StorageComponent = (typeof STORAGE_COMPONENTS)[number];

interface Access {
  /** Prefixes the component may list. */
  list: string[];
  read: string[];
  /** Put (conditional puts included: If-None-Match and If-Match need no other permission). */
  write: string[];
  delete: string[];
}

const {
  raw,
  deadLetter,
  metrics,
  trinoMetastore,
  trinoSchema,
  identity,
  keyUsage,
  ingestReplicas,
  ingestCardinality,
  signInFailures,
  audit,
  alerts,
  views,
} = STORE_PREFIXES;

/**
 * Least privilege per component. Ingest reads back what it wrote only to verify uploads (HEAD needs
 * s3:GetObject); rollup reads raw, writes metrics and deletes both for retention; query reads manifests (freshness);
 * Trino reads metrics and keeps its metastore and its schema's location (CREATE SCHEMA checks it is reachable).
 * Ingest and query read the managed keys and write when each key was last used; ingest replicas announce
 * themselves under identity/ingest-replicas/ and list each other there (tenant quotas, docs/adr/0080), and their
 * admitted names under identity/ingest-cardinality/ (docs/adr/0090); query counts failed sign-ins under
 * identity/sign-in-failures/ (deleting old buckets); query (the key and audit API) also
 * writes the keys document and the audit log, whose objects it creates only (If-None-Match), never deletes.
 * Query also serves the alert rules and silences API (writes and deletes them); the alert evaluator reads the
 * rollup's heartbeat and manifests and keeps its states, history and delivery records, deleting nothing.
 * Query keeps each tenant's saved views document (read and conditional put; a deleted view leaves the document).
 */
export const COMPONENT_ACCESS: Record<StorageComponent, Access> = {
  ingest: {
    list: [ingestReplicas, ingestCardinality],
    read: [raw, deadLetter, identity],
    write: [raw, deadLetter, keyUsage, ingestReplicas, ingestCardinality],
    delete: [],
  },
  rollup: { list: [raw, metrics], read: [raw, metrics], write: [metrics], delete: [raw, metrics] },
  query: {
    list: [metrics, identity, audit, alerts],
    read: [metrics, identity, audit, alerts, views],
    write: [identity, audit, alerts, views],
    delete: [alerts, signInFailures],
  },
  alert: { list: [metrics, alerts], read: [metrics, alerts], write: [alerts], delete: [] },
  trino: {
    list: [metrics, trinoMetastore, trinoSchema],
    read: [metrics, trinoMetastore, trinoSchema],
    write: [trinoMetastore, trinoSchema],
    delete: [trinoMetastore, trinoSchema],
  },
};

export function policyName(component: StorageComponent): string {
  return `gravix-${component}`;
}

type Statement = Record<string, unknown>;

const objects = (bucket: string, prefixes: string[]) => prefixes.map((p) => `arn:aws:s3:::${bucket}/${p}*`);

/** The S3 policy document (IAM JSON) for one component on one bucket. */
export function buildComponentPolicy(component: StorageComponent, bucket: string): Record<string, unknown> {
  const access = COMPONENT_ACCESS[component];
  const statements: Statement[] = [];
  const allow = (action: string, prefixes: string[]) => {
    if (prefixes.length > 0)
      statements.push({ Effect: 'Allow', Action: [action], Resource: objects(bucket, prefixes) });
  };
  if (access.list.length > 0) {
    statements.push({
      Effect: 'Allow',
      Action: ['s3:ListBucket'],
      Resource: [`arn:aws:s3:::${bucket}`],
      Condition: { StringLike: { 's3:prefix': access.list.map((p) => `${p}*`) } },
    });
  }
  allow('s3:GetObject', access.read);
  allow('s3:PutObject', access.write);
  allow('s3:DeleteObject', access.delete);
  return { Version: '2012-10-17', Statement: statements };
}
