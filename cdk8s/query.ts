import { Construct } from 'constructs';
import { KubeDeployment } from './k8s-imports.js';
import { CONFIG_HASH_ANNOTATION } from './config-hash.js';
import { imagePullSecrets, imageRef } from './images.js';
import { httpService, type WorkloadProps } from './ingestion.js';
import { childMetadata, childName, selectorLabels } from './naming.js';
import { configMapName, METRICS_PORT, s3CredentialEnv } from './pipeline-config.js';
import { buildQueryEnv, oidcClientSecretMounts, oidcClientSecretVolume } from './query-env.js';
import { waitForStorageContainer } from './storage-setup.js';
import { disruptionBudget, topologySpread } from './pod-placement.js';
import { podSecurity, WORKERS_UID, workersContainer, workersVolumes } from './pod-defaults.js';
import { tenantsConfigMapName } from './tenants-config.js';

/** Query API + dashboard: Deployment + Service + PDB, spread over nodes when it has several replicas. */
export class Query extends Construct {
  constructor(scope: Construct, id: string, props: WorkloadProps) {
    super(scope, id);
    const { pipeline } = props;
    const metadata = childMetadata(pipeline, 'query', childName(pipeline, 'query'));
    const container = workersContainer({
      name: 'query',
      image: imageRef(pipeline, 'workers'),
      args: ['query'],
      resources: pipeline.spec.query.resources,
      configMapName: configMapName(pipeline),
      env: [...s3CredentialEnv(pipeline, 'query'), ...buildQueryEnv(pipeline)],
      serve: true,
      metricsPort: METRICS_PORT,
      apiKeys: true,
      tenants: true,
    });
    const secretVolume = oidcClientSecretVolume(pipeline);
    new KubeDeployment(this, 'deployment', {
      metadata,
      spec: {
        replicas: pipeline.spec.query.replicas,
        selector: { matchLabels: selectorLabels(pipeline, 'query') },
        template: {
          metadata: { labels: metadata.labels, annotations: { [CONFIG_HASH_ANNOTATION]: props.configHash } },
          spec: {
            automountServiceAccountToken: false,
            ...imagePullSecrets(pipeline),
            securityContext: podSecurity({ uid: WORKERS_UID, readOnlyRootFilesystem: true }),
            ...topologySpread(pipeline, 'query', pipeline.spec.query.replicas),
            initContainers: [waitForStorageContainer(pipeline, 'query')],
            containers: [
              {
                ...container,
                volumeMounts: [...(container.volumeMounts ?? []), ...oidcClientSecretMounts(pipeline)],
              },
            ],
            volumes: [
              ...workersVolumes(childName(pipeline, 'api-keys'), {
                tenantsConfigMap: tenantsConfigMapName(pipeline),
              }),
              ...(secretVolume ? [secretVolume] : []),
            ],
          },
        },
      },
    });
    httpService(this, pipeline, 'query');
    disruptionBudget(this, pipeline, 'query', childName(pipeline, 'query'));
  }
}
