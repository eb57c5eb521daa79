import { Construct } from 'constructs';
import { IntOrString, KubeConfigMap, KubeDeployment, KubeService } from './k8s-imports.js';
import { CONFIG_HASH_ANNOTATION, hashConfig } from './config-hash.js';
import { buildCubeModel } from './cube-model.js';
import { imagePullSecrets, imageRef } from './images.js';
import type { WorkloadProps } from './ingestion.js';
import { childMetadata, childName, selectorLabels } from './naming.js';
import { HTTP_PORT, secretEnv } from './pipeline-config.js';
import { containerSecurity, httpProbe, podSecurity, resources } from './pod-defaults.js';

const CUBE_PORT = 4000;
// The Cube image compiles the model into its install directory at start, so the root must be writable.
const security = { uid: 1000, readOnlyRootFilesystem: false };

/** Optional Cube semantic layer over Trino, deployed by image only (its npm server cannot start offline). */
export class Cube extends Construct {
  constructor(scope: Construct, id: string, props: WorkloadProps) {
    super(scope, id);
    const { pipeline } = props;
    const name = childName(pipeline, 'cube');
    const metadata = childMetadata(pipeline, 'cube', name);
    const model = { 'request_metrics.yml': buildCubeModel() };
    new KubeConfigMap(this, 'model', {
      metadata: { ...metadata, name: childName(pipeline, 'cube-model') },
      data: model,
    });
    new KubeDeployment(this, 'deployment', {
      metadata,
      spec: {
        replicas: 1,
        selector: { matchLabels: selectorLabels(pipeline, 'cube') },
        template: {
          metadata: {
            labels: metadata.labels,
            annotations: { [CONFIG_HASH_ANNOTATION]: hashConfig(props.configHash, model) },
          },
          spec: {
            automountServiceAccountToken: false,
            ...imagePullSecrets(pipeline),
            securityContext: podSecurity(security),
            containers: [
              {
                name: 'cube',
                image: imageRef(pipeline, 'cube'),
                imagePullPolicy: 'IfNotPresent',
                env: [
                  { name: 'CUBEJS_DB_TYPE', value: 'trino' },
                  { name: 'CUBEJS_DB_HOST', value: childName(pipeline, 'trino') },
                  { name: 'CUBEJS_DB_PORT', value: String(HTTP_PORT) },
                  { name: 'CUBEJS_DB_PRESTO_CATALOG', value: 'hive' },
                  { name: 'CUBEJS_DB_SCHEMA', value: 'gravix' },
                  { name: 'CUBEJS_DB_USER', value: 'cube' },
                  secretEnv('CUBEJS_API_SECRET', childName(pipeline, 'cube-secret'), 'apiSecret'),
                ],
                ports: [{ name: 'http', containerPort: CUBE_PORT }],
                resources: resources(pipeline.spec.cube.resources),
                securityContext: containerSecurity(security),
                readinessProbe: httpProbe('/readyz', 'http'),
                livenessProbe: httpProbe('/livez', 'http', 20),
                volumeMounts: [{ name: 'model', mountPath: '/cube/conf/model', readOnly: true }],
              },
            ],
            volumes: [{ name: 'model', configMap: { name: childName(pipeline, 'cube-model') } }],
          },
        },
      },
    });
    new KubeService(this, 'service', {
      metadata,
      spec: {
        selector: selectorLabels(pipeline, 'cube'),
        ports: [{ name: 'http', port: CUBE_PORT, targetPort: IntOrString.fromString('http') }],
      },
    });
  }
}
