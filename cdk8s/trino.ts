import { Construct } from 'constructs';
import { IntOrString, KubeConfigMap, KubeService, KubeStatefulSet, type Container } from './k8s-imports.js';
import type { GravixPipeline } from '../crds/gravix-pipeline.js';
import { CONFIG_HASH_ANNOTATION } from './config-hash.js';
import { imagePullSecrets, imageRef } from './images.js';
import { disruptionBudget, headlessService, headlessServiceName, topologySpread } from './pod-placement.js';
import type { WorkloadProps } from './ingestion.js';
import { childMetadata, childName, selectorLabels } from './naming.js';
import { HTTP_PORT, s3CredentialEnv } from './pipeline-config.js';
import { containerSecurity, httpProbe, podSecurity, resources, type ResourceSpec } from './pod-defaults.js';
import { buildTrinoConfig } from './trino-config.js';
import {
  buildTrinoFunctionsConfigMapData,
  trinoFunctionsConfigMapName,
  trinoFunctionsInitContainer,
  trinoFunctionsMount,
  trinoFunctionsVolumes,
} from './trino-functions.js';

const TRINO_UID = 1000;
const TRINO_PROBE_PORT = 9466;
// The image writes plugin caches and logs under its install and home directories.
const security = { uid: TRINO_UID, readOnlyRootFilesystem: false };

function trinoContainer(spec: ResourceSpec, pipeline: GravixPipeline): Container {
  return {
    name: 'trino',
    image: imageRef(pipeline, 'trino'),
    imagePullPolicy: 'IfNotPresent',
    env: s3CredentialEnv(pipeline, 'trino', { accessKey: 'S3_ACCESS_KEY', secretKey: 'S3_SECRET_KEY' }),
    ports: [{ name: 'http', containerPort: HTTP_PORT }],
    resources: resources(spec),
    securityContext: containerSecurity(security),
    // Trino takes tens of seconds to start; /v1/info answers once the server is up, before it accepts queries: the
    // pod's readiness is the ready-probe sidecar's SELECT 1.
    startupProbe: httpProbe('/v1/info', 'http', 5, 60),
    readinessProbe: httpProbe('/v1/info', 'http', 10),
    livenessProbe: {
      tcpSocket: { port: IntOrString.fromString('http') },
      periodSeconds: 20,
      failureThreshold: 3,
    },
    volumeMounts: [
      { name: 'config', mountPath: '/etc/trino' },
      { name: 'data', mountPath: '/data/trino' },
      trinoFunctionsMount,
    ],
  };
}

/**
 * The Trino pod's readiness: `gravix trino-probe` runs SELECT 1 on the coordinator beside it, or asks a worker, which
 * runs no statements itself, for its node state (workers/trino-probe).
 */
function readinessSidecar(pipeline: GravixPipeline, role: 'coordinator' | 'worker'): Container {
  return {
    name: 'ready-probe',
    image: imageRef(pipeline, 'workers'),
    imagePullPolicy: 'IfNotPresent',
    args: ['trino-probe'],
    env: [
      { name: 'GRAVIX_TRINO_PROBE_PORT', value: String(TRINO_PROBE_PORT) },
      { name: 'GRAVIX_TRINO_PROBE_ROLE', value: role },
    ],
    ports: [{ name: 'probe', containerPort: TRINO_PROBE_PORT }],
    resources: resources({ cpu: '10m', memory: '128Mi' }),
    securityContext: containerSecurity({ uid: TRINO_UID, readOnlyRootFilesystem: true }),
    readinessProbe: { ...httpProbe('/ready', 'probe', 10), timeoutSeconds: 6 },
    livenessProbe: httpProbe('/live', 'probe', 20),
  };
}

function configVolume(pipeline: GravixPipeline, role: 'coordinator' | 'worker') {
  return {
    name: 'config',
    configMap: {
      name: childName(pipeline, 'trino-config'),
      items: [
        { key: `${role}.properties`, path: 'config.properties' },
        { key: 'node.properties', path: 'node.properties' },
        { key: `${role}-jvm.config`, path: 'jvm.config' },
        { key: 'hive.properties', path: 'catalog/hive.properties' },
        { key: 'log.properties', path: 'log.properties' },
      ],
    },
  };
}

function statefulSet(
  scope: Construct,
  role: 'coordinator' | 'worker',
  props: WorkloadProps,
  replicas: number,
) {
  const { pipeline } = props;
  const component = role === 'coordinator' ? 'trino-coordinator' : 'trino-worker';
  const metadata = childMetadata(pipeline, component, childName(pipeline, component));
  const spec =
    role === 'coordinator' ? pipeline.spec.trino.coordinatorResources : pipeline.spec.trino.workerResources;
  headlessService(scope, pipeline, component, [{ name: 'http', port: HTTP_PORT }]);
  disruptionBudget(scope, pipeline, component, metadata.name);
  return new KubeStatefulSet(scope, role, {
    metadata,
    spec: {
      replicas,
      serviceName: headlessServiceName(pipeline, component),
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: selectorLabels(pipeline, component) },
      template: {
        metadata: { labels: metadata.labels, annotations: { [CONFIG_HASH_ANNOTATION]: props.configHash } },
        spec: {
          automountServiceAccountToken: false,
          ...imagePullSecrets(pipeline),
          securityContext: podSecurity(security),
          ...topologySpread(pipeline, component, replicas),
          initContainers: [trinoFunctionsInitContainer(pipeline, TRINO_UID)],
          containers: [trinoContainer(spec, pipeline), readinessSidecar(pipeline, role)],
          volumes: [
            configVolume(pipeline, role),
            { name: 'data', emptyDir: {} },
            ...trinoFunctionsVolumes(pipeline),
          ],
        },
      },
    },
  });
}

/**
 * Trino coordinator + workers as StatefulSets (each with its headless governing Service and a PDB), with the Hive
 * catalog over the pipeline's bucket and Gravix's functions built at pod start; clients and workers reach the coordinator through `<name>-trino`.
 */
export class Trino extends Construct {
  constructor(scope: Construct, id: string, props: WorkloadProps) {
    super(scope, id);
    const { pipeline } = props;
    new KubeConfigMap(this, 'config', {
      metadata: childMetadata(pipeline, 'trino-coordinator', childName(pipeline, 'trino-config')),
      data: buildTrinoConfig(pipeline),
    });
    // Gravix's functions, compiled by each Trino pod's init container (trino-functions.ts, docs/adr/0146).
    new KubeConfigMap(this, 'functions', {
      metadata: childMetadata(pipeline, 'trino-coordinator', trinoFunctionsConfigMapName(pipeline)),
      data: buildTrinoFunctionsConfigMapData(),
    });
    new KubeService(this, 'service', {
      metadata: childMetadata(pipeline, 'trino-coordinator', childName(pipeline, 'trino')),
      spec: {
        selector: selectorLabels(pipeline, 'trino-coordinator'),
        ports: [{ name: 'http', port: HTTP_PORT, targetPort: IntOrString.fromString('http') }],
      },
    });
    statefulSet(this, 'coordinator', props, 1);
    if (pipeline.spec.trino.workers > 0) statefulSet(this, 'worker', props, pipeline.spec.trino.workers);
  }
}
