import { Construct } from 'constructs';
import { KubeJob } from './k8s-imports.js';
import type { GravixPipeline } from '../crds/gravix-pipeline.js';
import { CONFIG_HASH_ANNOTATION } from './config-hash.js';
import { imagePullSecrets } from './images.js';
import { INGEST_WAL_CLAIM, ingestClaimName, ingestContainer } from './ingestion.js';
import { childMetadata, childName, CREATE_ONLY_ANNOTATION } from './naming.js';
import { podSecurity, WORKERS_UID, workersVolumes } from './pod-defaults.js';

/** Each rescue attempt tries this long before its pod restarts (and tries again). */
const RESCUE_DEADLINE_MS = 600_000;

export function ingestRescueJobName(pipeline: GravixPipeline, ordinal: number): string {
  return childName(pipeline, `ingest-rescue-${ordinal}`);
}

/**
 * The rescue Job of a scaled-away ingest replica (docs/adr/0067): `gravix ingest --rescue` on that replica's claim,
 * under that replica's ingester id, uploads what its write-ahead log still holds (a scale-down during an object
 * store outage) and succeeds once nothing is left. It retries in place until the store answers. The operator
 * emits one per orphaned claim whose pod is gone, and deletes the claim once its Job has succeeded.
 */
export class IngestRescue extends Construct {
  constructor(
    scope: Construct,
    id: string,
    props: { pipeline: GravixPipeline; ordinal: number; configHash: string },
  ) {
    super(scope, id);
    const { pipeline, ordinal } = props;
    const ingesterId = childName(pipeline, `ingest-${ordinal}`);
    const metadata = childMetadata(pipeline, 'ingest-rescue', ingestRescueJobName(pipeline, ordinal));
    new KubeJob(this, 'job', {
      // Created once and left alone: a Job's template is immutable, and an upgrade mid-rescue must not stop it.
      metadata: { ...metadata, annotations: { [CREATE_ONLY_ANNOTATION]: 'true' } },
      spec: {
        backoffLimit: 1000,
        template: {
          metadata: {
            // Its own component: the ingest Service, StatefulSet and PDB must not select it.
            labels: metadata.labels,
            annotations: { [CONFIG_HASH_ANNOTATION]: props.configHash },
          },
          spec: {
            restartPolicy: 'OnFailure',
            automountServiceAccountToken: false,
            ...imagePullSecrets(pipeline),
            securityContext: podSecurity({ uid: WORKERS_UID, readOnlyRootFilesystem: true }),
            containers: [
              ingestContainer(pipeline, {
                rescue: true,
                env: [
                  { name: 'GRAVIX_INGESTER_ID', value: ingesterId },
                  { name: 'GRAVIX_SHUTDOWN_DEADLINE_MS', value: String(RESCUE_DEADLINE_MS) },
                ],
              }),
            ],
            volumes: [
              ...workersVolumes(childName(pipeline, 'api-keys'), { dataFromClaim: true }),
              {
                name: INGEST_WAL_CLAIM,
                persistentVolumeClaim: { claimName: ingestClaimName(pipeline, ordinal) },
              },
            ],
          },
        },
      },
    });
  }
}
