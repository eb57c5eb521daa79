import { Construct } from 'constructs';
import { KubeDeployment, KubeService, IntOrString } from './k8s-imports.js';
import { CONFIG_HASH_ANNOTATION } from './config-hash.js';
import { imagePullSecrets, imageRef } from './images.js';
import { metricsServicePort, type WorkloadProps } from './ingestion.js';
import { childMetadata, childName, selectorLabels } from './naming.js';
import { configMapName, HTTP_PORT, s3CredentialEnv } from './pipeline-config.js';
import { waitForStorageContainer } from './storage-setup.js';
import { podSecurity, WORKERS_UID, workersContainer, workersVolumes } from './pod-defaults.js';
import { tenantsConfigMapName } from './tenants-config.js';

/** The rollup loop's own settings (workers/rollup/config.ts); the shared ones come from the pipeline ConfigMap. */
export function buildRollupEnv(pipeline: WorkloadProps['pipeline']) {
  return [
    // Provisional partitions for the open hour, as `gravix dev` does: charts lag one interval, not one hour.
    { name: 'GRAVIX_ROLLUP_INCLUDE_OPEN', value: 'true' },
    { name: 'GRAVIX_ROLLUP_INTERVAL_SECONDS', value: String(pipeline.spec.rollup.intervalSeconds) },
    { name: 'GRAVIX_ROLLUP_HTTP_PORT', value: String(HTTP_PORT) },
  ];
}

/**
 * Rollup as a long-running loop (docs/adr/0062): one replica, Recreate so an upgrade never runs two, a pass every
 * spec.rollup.intervalSeconds, /metrics behind a Service for the ServiceMonitor. Overlapping passes (a pod that
 * outlives its node's partition) are safe by the commit protocol (docs/adr/0003); they only repeat work.
 */
export class Rollup extends Construct {
  constructor(scope: Construct, id: string, props: WorkloadProps) {
    super(scope, id);
    const { pipeline } = props;
    const metadata = childMetadata(pipeline, 'rollup', childName(pipeline, 'rollup'));
    new KubeDeployment(this, 'deployment', {
      metadata,
      spec: {
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selectorLabels(pipeline, 'rollup') },
        template: {
          metadata: { labels: metadata.labels, annotations: { [CONFIG_HASH_ANNOTATION]: props.configHash } },
          spec: {
            automountServiceAccountToken: false,
            ...imagePullSecrets(pipeline),
            securityContext: podSecurity({ uid: WORKERS_UID, readOnlyRootFilesystem: true }),
            // A pass in progress finishes (its commit is atomic either way); the loop starts no new one.
            terminationGracePeriodSeconds: 120,
            initContainers: [waitForStorageContainer(pipeline, 'rollup')],
            containers: [
              workersContainer({
                name: 'rollup',
                image: imageRef(pipeline, 'workers'),
                args: ['rollup'],
                resources: pipeline.spec.rollup.resources,
                configMapName: configMapName(pipeline),
                env: [...s3CredentialEnv(pipeline, 'rollup'), ...buildRollupEnv(pipeline)],
                serve: true,
                apiKeys: false,
                tenants: true,
              }),
            ],
            volumes: workersVolumes(undefined, { tenantsConfigMap: tenantsConfigMapName(pipeline) }),
          },
        },
      },
    });
    new KubeService(this, 'service', {
      metadata: { ...metadata, annotations: { 'gravix.dev/metrics-path': '/metrics' } },
      spec: {
        selector: selectorLabels(pipeline, 'rollup'),
        ports: [
          { name: 'http', port: HTTP_PORT, targetPort: IntOrString.fromString('http') },
          metricsServicePort('http'),
        ],
      },
    });
  }
}
