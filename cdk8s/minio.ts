import { Construct } from 'constructs';
import { IntOrString, KubeService, KubeStatefulSet, Quantity } from './k8s-imports.js';
import type { GravixPipeline } from '../crds/gravix-pipeline.js';
import { CONFIG_HASH_ANNOTATION } from './config-hash.js';
import { imagePullSecrets, imageRef } from './images.js';
import { disruptionBudget, headlessService, headlessServiceName } from './pod-placement.js';
import { childMetadata, childName, selectorLabels, stableLabels } from './naming.js';
import { MINIO_PORT, minioRootSecretName, secretEnv } from './pipeline-config.js';
import { containerSecurity, httpProbe, podSecurity, resources } from './pod-defaults.js';

const MINIO_UID = 1000;
// MinIO writes its config under $HOME as well as the data volume, so the root stays writable.
const security = { uid: MINIO_UID, readOnlyRootFilesystem: false };

/** Single-node MinIO on a PVC; its root credentials are the generated `<name>-minio-credentials` Secret. */
export class Minio extends Construct {
  constructor(scope: Construct, id: string, props: { pipeline: GravixPipeline; secretsHash: string }) {
    super(scope, id);
    const { pipeline } = props;
    const name = childName(pipeline, 'minio');
    const metadata = childMetadata(pipeline, 'minio', name);
    const credentials = minioRootSecretName(pipeline);
    const { size, storageClassName } = pipeline.spec.storage.minio;
    new KubeService(this, 'service', {
      metadata,
      spec: {
        selector: selectorLabels(pipeline, 'minio'),
        ports: [{ name: 's3', port: MINIO_PORT, targetPort: IntOrString.fromString('s3') }],
      },
    });
    headlessService(this, pipeline, 'minio', [{ name: 's3', port: MINIO_PORT }]);
    disruptionBudget(this, pipeline, 'minio', name);
    new KubeStatefulSet(this, 'statefulset', {
      metadata,
      spec: {
        replicas: 1,
        serviceName: headlessServiceName(pipeline, 'minio'),
        selector: { matchLabels: selectorLabels(pipeline, 'minio') },
        template: {
          // Its root credentials are a generated Secret: a recreated one restarts MinIO with it.
          metadata: { labels: metadata.labels, annotations: { [CONFIG_HASH_ANNOTATION]: props.secretsHash } },
          spec: {
            automountServiceAccountToken: false,
            ...imagePullSecrets(pipeline),
            securityContext: podSecurity(security),
            containers: [
              {
                name: 'minio',
                image: imageRef(pipeline, 'minio'),
                imagePullPolicy: 'IfNotPresent',
                args: ['server', '/data', '--console-address', ':9001'],
                env: [
                  secretEnv('MINIO_ROOT_USER', credentials, 'accessKeyId'),
                  secretEnv('MINIO_ROOT_PASSWORD', credentials, 'secretAccessKey'),
                  { name: 'HOME', value: '/data' },
                ],
                ports: [
                  { name: 's3', containerPort: MINIO_PORT },
                  { name: 'console', containerPort: 9001 },
                ],
                resources: resources({ cpu: '250m', memory: '1Gi' }),
                securityContext: containerSecurity(security),
                readinessProbe: httpProbe('/minio/health/ready', 's3', 10),
                livenessProbe: httpProbe('/minio/health/live', 's3', 20),
                volumeMounts: [{ name: 'data', mountPath: '/data' }],
              },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            // Immutable once created: stable labels only. A larger size grows the claims and recreates the
            // StatefulSet with its pods orphaned (docs/adr/0064, 0105).
            metadata: { name: 'data', labels: stableLabels(pipeline, 'minio') },
            spec: {
              accessModes: ['ReadWriteOnce'],
              ...(storageClassName ? { storageClassName } : {}),
              resources: { requests: { storage: Quantity.fromString(size) } },
            },
          },
        ],
      },
    });
  }
}
