import type { GravixPipeline } from '../crds/gravix-pipeline.js';
import { STORE_PREFIXES } from '../workers/storage-setup/domain/component-policies.js';
import { parseQuantityBytes } from '../crds/quantity.js';
import { headlessServiceName } from './pod-placement.js';
import { HTTP_PORT, s3Endpoint, s3Region } from './pipeline-config.js';
import {
  buildHiveCatalogProperties,
  buildTrinoJvmConfig,
  buildTrinoLogProperties,
  buildTrinoQueryHistoryProperties,
} from './trino-settings.js';

const properties = (entries: string[]) => `${entries.join('\n')}\n`;

const MIB = 2 ** 20;
/** The JVM heap's share of the container memory: the rest is metaspace, threads, direct buffers, the OS. */
const HEAP_SHARE = 0.7;
/** A query's share of a node's heap; Trino refuses to start unless it plus the headroom fits in the heap. */
const QUERY_SHARE = 0.5;
const HEADROOM_SHARE = 0.3;

export interface TrinoMemory {
  heapMiB: number;
  queryPerNodeMiB: number;
  headroomMiB: number;
}

/**
 * Everything Trino's memory settings need, from the one setting a user gives (the container memory), so the heap
 * always fits in the limit and the pod is not OOM-killed, and Trino's own check (query memory + headroom <= heap)
 * always passes. Admission refuses less than 1Gi (crds/gravix-pipeline-spec.ts).
 */
export function buildTrinoMemory(containerMemory: string): TrinoMemory {
  const bytes = parseQuantityBytes(containerMemory) ?? 2 * 2 ** 30;
  const heapMiB = Math.floor((bytes * HEAP_SHARE) / MIB);
  return {
    heapMiB,
    queryPerNodeMiB: Math.floor(heapMiB * QUERY_SHARE),
    headroomMiB: Math.floor(heapMiB * HEADROOM_SHARE),
  };
}

function serverProperties(pipeline: GravixPipeline, coordinator: boolean): string {
  // Workers announce themselves to the coordinator before it is Ready, and it turns Ready only once a worker has
  // (its readiness runs SELECT 1, which needs an active worker when the coordinator schedules no work itself). The
  // `<pipeline>-trino` Service routes only to a Ready coordinator, so discovery through it never completes; the
  // coordinator's headless Service publishes not-ready addresses (docs/adr/0130).
  const discovery = `http://${headlessServiceName(pipeline, 'trino-coordinator')}:${HTTP_PORT}`;
  const { trino } = pipeline.spec;
  const own = buildTrinoMemory((coordinator ? trino.coordinatorResources : trino.workerResources).memory);
  // Every node of a query shares one per-node limit: the smallest node's, times the nodes that run queries.
  const queryNode = trino.workers === 0 ? trino.coordinatorResources : trino.workerResources;
  const queryNodes = Math.max(1, trino.workers);
  const perNode = buildTrinoMemory(queryNode.memory).queryPerNodeMiB;
  return properties([
    `coordinator=${coordinator}`,
    ...(coordinator
      ? [`node-scheduler.include-coordinator=${trino.workers === 0}`, ...buildTrinoQueryHistoryProperties()]
      : []),
    `http-server.http.port=${HTTP_PORT}`,
    `discovery.uri=${discovery}`,
    `query.max-memory=${perNode * queryNodes}MB`,
    `query.max-memory-per-node=${own.queryPerNodeMiB}MB`,
    `memory.heap-headroom-per-node=${own.headroomMiB}MB`,
  ]);
}

/** Trino's JVM flags (trino-settings.ts) with an explicit heap: the number the query memory settings derive from. */
function jvmConfig(containerMemory: string): string {
  return buildTrinoJvmConfig(`${buildTrinoMemory(containerMemory).heapMiB}m`);
}

/** Hive catalog over the pipeline's bucket with the file metastore kept in the bucket (no Hive Metastore). */
function hiveCatalog(pipeline: GravixPipeline): string {
  const endpoint = s3Endpoint(pipeline);
  return buildHiveCatalogProperties({
    metastoreDir: `s3://${pipeline.spec.storage.bucket}/${STORE_PREFIXES.trinoMetastore.slice(0, -1)}`,
    ...(endpoint ? { endpoint } : {}),
    region: s3Region(pipeline),
    pathStyle: pipeline.spec.storage.mode === 'minio',
    // Credentials come from the Secret through env, so they never land in a ConfigMap.
    accessKey: '${ENV:S3_ACCESS_KEY}',
    secretKey: '${ENV:S3_SECRET_KEY}',
  });
}

/** Files of the Trino ConfigMap; keys are flat, mounted to their etc paths by the StatefulSets. */
export function buildTrinoConfig(pipeline: GravixPipeline): Record<string, string> {
  return {
    'coordinator.properties': serverProperties(pipeline, true),
    'worker.properties': serverProperties(pipeline, false),
    'node.properties': properties(['node.environment=gravix', 'node.data-dir=/data/trino']),
    'coordinator-jvm.config': jvmConfig(pipeline.spec.trino.coordinatorResources.memory),
    'worker-jvm.config': jvmConfig(pipeline.spec.trino.workerResources.memory),
    'hive.properties': hiveCatalog(pipeline),
    'log.properties': buildTrinoLogProperties(),
  };
}
