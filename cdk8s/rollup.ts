import { Construct } from 'constructs';
import { KubeCronJob } from 'cdk8s-plus-28/lib/imports/k8s.js';
import { CONFIG_HASH_ANNOTATION } from './config-hash.js';
import { workersImage } from './images.js';
import type { WorkloadProps } from './ingestion.js';
import { childMetadata, childName } from './naming.js';
import { configMapName, s3CredentialEnv } from './pipeline-config.js';
import { podSecurity, WORKERS_UID, workersContainer, workersVolumes } from './pod-defaults.js';

/** Rollup CronJob: Forbid, because two rollups of one partition would only redo each other's work. */
export class Rollup extends Construct {
  constructor(scope: Construct, id: string, props: WorkloadProps) {
    super(scope, id);
    const { pipeline } = props;
    const metadata = childMetadata(pipeline, 'rollup', childName(pipeline, 'rollup'));
    new KubeCronJob(this, 'cronjob', {
      metadata,
      spec: {
        schedule: pipeline.spec.rollup.schedule,
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 120,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels: metadata.labels },
          spec: {
            backoffLimit: 2,
            activeDeadlineSeconds: 600,
            ttlSecondsAfterFinished: 3600,
            template: {
              metadata: {
                labels: metadata.labels,
                annotations: { [CONFIG_HASH_ANNOTATION]: props.configHash },
              },
              spec: {
                restartPolicy: 'Never',
                automountServiceAccountToken: false,
                securityContext: podSecurity({ uid: WORKERS_UID, readOnlyRootFilesystem: true }),
                containers: [
                  workersContainer({
                    name: 'rollup',
                    image: workersImage(pipeline.spec.version),
                    args: ['rollup', '--once'],
                    resources: pipeline.spec.rollup.resources,
                    configMapName: configMapName(pipeline),
                    env: s3CredentialEnv(pipeline),
                    serve: false,
                    apiKeys: false,
                  }),
                ],
                volumes: workersVolumes(undefined),
              },
            },
          },
        },
      },
    });
  }
}
