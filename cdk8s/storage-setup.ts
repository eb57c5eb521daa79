import { Construct } from 'constructs';
import { KubeJob, type Container, type EnvVar, type PodTemplateSpec } from './k8s-imports.js';
import type { GravixPipeline } from '../crds/gravix-pipeline.js';
import {
  STORAGE_COMPONENTS,
  type StorageComponent,
} from '../workers/storage-setup/domain/component-policies.js';
import { componentCredentialEnv } from '../workers/storage-setup/config.js';
import { hashConfig } from './config-hash.js';
import { imagePullSecrets, imageRef } from './images.js';
import { childMetadata, childName } from './naming.js';
import {
  componentSecretName,
  configMapName,
  minioRootSecretName,
  s3CredentialEnv,
  secretEnv,
  WORKER_S3_ENV,
} from './pipeline-config.js';
import { podSecurity, WORKERS_UID, workersContainer, workersVolumes } from './pod-defaults.js';

/** What `gravix storage-setup` reads besides the pipeline ConfigMap (workers/storage-setup/config.ts). */
export function buildStorageSetupEnv(pipeline: GravixPipeline): EnvVar[] {
  const { storage } = pipeline.spec;
  const flag = (name: string, on: boolean) => ({ name, value: String(on) });
  if (storage.mode === 'external') {
    const secret = storage.external!.secretRef!.name;
    return [
      secretEnv(WORKER_S3_ENV.accessKey, secret, 'accessKeyId'),
      secretEnv(WORKER_S3_ENV.secretKey, secret, 'secretAccessKey'),
      flag('GRAVIX_STORAGE_CREATE_BUCKET', storage.external?.createBucket ?? false),
      flag('GRAVIX_STORAGE_MINIO_USERS', false),
    ];
  }
  const root = minioRootSecretName(pipeline);
  return [
    secretEnv(WORKER_S3_ENV.accessKey, root, 'accessKeyId'),
    secretEnv(WORKER_S3_ENV.secretKey, root, 'secretAccessKey'),
    flag('GRAVIX_STORAGE_CREATE_BUCKET', true),
    flag('GRAVIX_STORAGE_MINIO_USERS', true),
    ...STORAGE_COMPONENTS.flatMap((component) => {
      const names = componentCredentialEnv(component);
      const secret = componentSecretName(pipeline, component);
      return [
        secretEnv(names.accessKey, secret, 'accessKeyId'),
        secretEnv(names.secretKey, secret, 'secretAccessKey'),
      ];
    }),
  ];
}

/**
 * The init container of the worker pods: waits until the component can use the bucket with its own credentials,
 * so no worker writes (or turns Ready and fills its buffer) before the storage Job has prepared it.
 */
export function waitForStorageContainer(pipeline: GravixPipeline, component: StorageComponent): Container {
  return workersContainer({
    name: 'wait-for-storage',
    image: imageRef(pipeline, 'workers'),
    args: ['storage-setup', '--wait-for', component],
    resources: { cpu: '10m', memory: '128Mi' },
    configMapName: configMapName(pipeline),
    env: s3CredentialEnv(pipeline, component),
    serve: false,
    apiKeys: false,
  });
}

/**
 * The storage Job (docs/adr/0063): creates the bucket and, on the pipeline's MinIO, one least-privilege user per
 * component; on external S3 it only checks the bucket (creating it only when asked). A Job's pod template is
 * immutable, so its name carries a hash of its spec: a new image or setting is a new Job, and the operator prunes
 * the old one. Waits for the store to answer (MinIO starts beside it), then retries with the Job's backoff.
 */
export class StorageSetup extends Construct {
  constructor(scope: Construct, id: string, props: { pipeline: GravixPipeline; configHash: string }) {
    super(scope, id);
    const { pipeline } = props;
    const labels = childMetadata(pipeline, 'storage-setup', '').labels;
    const template: PodTemplateSpec = {
      metadata: { labels },
      spec: {
        restartPolicy: 'Never',
        automountServiceAccountToken: false,
        ...imagePullSecrets(pipeline),
        securityContext: podSecurity({ uid: WORKERS_UID, readOnlyRootFilesystem: true }),
        containers: [
          workersContainer({
            name: 'storage-setup',
            image: imageRef(pipeline, 'workers'),
            args: ['storage-setup'],
            resources: { cpu: '50m', memory: '256Mi' },
            configMapName: configMapName(pipeline),
            env: buildStorageSetupEnv(pipeline),
            serve: false,
            apiKeys: false,
          }),
        ],
        volumes: workersVolumes(undefined),
      },
    };
    const hash = hashConfig(template, props.configHash).slice(0, 8);
    new KubeJob(this, 'job', {
      metadata: childMetadata(pipeline, 'storage-setup', childName(pipeline, `storage-setup-${hash}`)),
      spec: { backoffLimit: 8, template },
    });
  }
}
