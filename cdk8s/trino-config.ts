import type { GravixPipeline } from '../crds/gravix-pipeline.js';
import { STORE_PREFIXES } from '../workers/storage-setup/domain/component-policies.js';
import { childName } from './naming.js';
import { HTTP_PORT, s3Endpoint, s3Region } from './pipeline-config.js';
import {
  buildHiveCatalogProperties,
  buildTrinoJvmConfig,
  buildTrinoLogProperties,
} from './trino-settings.js';

const properties = (entries: string[]) => `${entries.join('\n')}\n`;

function serverProperties(pipeline: GravixPipeline, coordinator: boolean): string {
  const discovery = `http://${childName(pipeline, 'trino')}:${HTTP_PORT}`;
  return properties([
    `coordinator=${coordinator}`,
    ...(coordinator ? [`node-scheduler.include-coordinator=${pipeline.spec.trino.workers === 0}`] : []),
    `http-server.http.port=${HTTP_PORT}`,
    `discovery.uri=${discovery}`,
    'query.max-memory=1GB',
    'query.max-memory-per-node=512MB',
  ]);
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
    'jvm.config': buildTrinoJvmConfig(['-XX:InitialRAMPercentage=50', '-XX:MaxRAMPercentage=75']),
    'hive.properties': hiveCatalog(pipeline),
    'log.properties': buildTrinoLogProperties(),
  };
}
