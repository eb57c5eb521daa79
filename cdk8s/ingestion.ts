import { Construct } from 'constructs';
import {
  IntOrString,
  KubeHorizontalPodAutoscalerV2,
  KubePodDisruptionBudget,
  KubeService,
  KubeStatefulSet,
  Quantity,
  type EnvVar,
} from './k8s-imports.js';
import type { GravixPipeline } from '../crds/gravix-pipeline.js';
import { CONFIG_HASH_ANNOTATION } from './config-hash.js';
import { childMetadata, childName, selectorLabels, stableLabels } from './naming.js';
import { headlessService, headlessServiceName, podNameEnv, topologySpread } from './pod-placement.js';
import {
  configMapName,
  HTTP_PORT,
  INGEST_SHUTDOWN_DEADLINE_SECONDS,
  METRICS_PORT,
  s3CredentialEnv,
} from './pipeline-config.js';
import { waitForStorageContainer } from './storage-setup.js';
import { podSecurity, WORKERS_UID, workersContainer, workersVolumes } from './pod-defaults.js';
import { tenantsConfigMapName } from './tenants-config.js';
import { imagePullSecrets, imageRef } from './images.js';

export interface WorkloadProps {
  pipeline: GravixPipeline;
  /** Hash of the configuration the pods consume (see config-hash.ts). */
  configHash: string;
}

export function httpService(scope: Construct, pipeline: GravixPipeline, component: 'ingest' | 'query') {
  return new KubeService(scope, 'service', {
    metadata: {
      ...childMetadata(pipeline, component, childName(pipeline, component)),
      annotations: { 'gravix.dev/metrics-path': '/metrics' },
    },
    spec: {
      selector: selectorLabels(pipeline, component),
      ports: [
        { name: 'http', port: HTTP_PORT, targetPort: IntOrString.fromString('http') },
        // Both servers serve /metrics only on their own metrics listener (GRAVIX_*_METRICS_PORT).
        metricsServicePort('metrics'),
      ],
    },
  });
}

/** The Service port the ServiceMonitor scrapes, mapped to the container port that serves /metrics. */
export function metricsServicePort(containerPort: 'http' | 'metrics') {
  return { name: 'metrics', port: METRICS_PORT, targetPort: IntOrString.fromString(containerPort) };
}

/** The claim template's name; a replica's claim is `data-<name>-ingest-<ordinal>` (the StatefulSet rule). */
export const INGEST_WAL_CLAIM = 'data';

export function ingestClaimName(pipeline: GravixPipeline, ordinal: number): string {
  return `${INGEST_WAL_CLAIM}-${childName(pipeline, 'ingest')}-${ordinal}`;
}

/** The ingest container, shared by the StatefulSet and the rescue Job (cdk8s/ingest-rescue.ts). */
export function ingestContainer(pipeline: GravixPipeline, options: { rescue: boolean; env: EnvVar[] }) {
  return workersContainer({
    name: options.rescue ? 'rescue' : 'ingest',
    image: imageRef(pipeline, 'workers'),
    args: options.rescue ? ['ingest', '--rescue'] : ['ingest'],
    resources: pipeline.spec.ingestion.resources,
    configMapName: configMapName(pipeline),
    env: [...s3CredentialEnv(pipeline, 'ingest'), ...options.env],
    serve: !options.rescue,
    apiKeys: true,
    // The rescue Job only uploads a log; it reads no tenant.
    tenants: !options.rescue,
    // Ingest serves /metrics on a listener of its own (GRAVIX_INGEST_METRICS_PORT), the Service's metrics port.
    ...(options.rescue ? {} : { metricsPort: METRICS_PORT }),
  });
}

/**
 * Ingestion API: StatefulSet (one write-ahead log claim per replica, ingester id = pod name, like the ingesters
 * of Loki and Mimir) + Service + headless Service + HPA (when enabled) + PDB. A replica that is scaled away keeps
 * its claim; the operator's rescue Job uploads what it holds (docs/adr/0067).
 */
export class Ingestion extends Construct {
  constructor(scope: Construct, id: string, props: WorkloadProps) {
    super(scope, id);
    const { pipeline } = props;
    const { ingestion } = pipeline.spec;
    const name = childName(pipeline, 'ingest');
    const metadata = childMetadata(pipeline, 'ingest', name);
    const selector = selectorLabels(pipeline, 'ingest');
    const { size, storageClassName } = ingestion.wal;
    const maxReplicas = ingestion.autoscaling.enabled
      ? ingestion.autoscaling.maxReplicas
      : ingestion.replicas;
    new KubeStatefulSet(this, 'statefulset', {
      metadata,
      spec: {
        // With an HPA the replica count belongs to the HPA; applying one here would fight it on every pass.
        ...(ingestion.autoscaling.enabled ? {} : { replicas: ingestion.replicas }),
        serviceName: headlessServiceName(pipeline, 'ingest'),
        // Replicas are independent (no quorum), so they start and stop together rather than one by one.
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: selector },
        updateStrategy: { type: 'RollingUpdate' },
        // Claims outlive their replicas: a scaled-away claim is rescued, then deleted, by the operator.
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        template: {
          metadata: { labels: metadata.labels, annotations: { [CONFIG_HASH_ANNOTATION]: props.configHash } },
          spec: {
            automountServiceAccountToken: false,
            ...imagePullSecrets(pipeline),
            securityContext: podSecurity({ uid: WORKERS_UID, readOnlyRootFilesystem: true }),
            // Ingest drains its write-ahead log on SIGTERM (GRAVIX_SHUTDOWN_DEADLINE_MS) before exiting.
            terminationGracePeriodSeconds: 3 * INGEST_SHUTDOWN_DEADLINE_SECONDS,
            ...topologySpread(pipeline, 'ingest', maxReplicas),
            initContainers: [waitForStorageContainer(pipeline, 'ingest')],
            containers: [
              ingestContainer(pipeline, { rescue: false, env: [podNameEnv('GRAVIX_INGESTER_ID')] }),
            ],
            volumes: workersVolumes(childName(pipeline, 'api-keys'), {
              dataFromClaim: true,
              tenantsConfigMap: tenantsConfigMapName(pipeline),
            }),
          },
        },
        volumeClaimTemplates: [
          {
            // Immutable once created: stable labels only (docs/adr/0064); the operator grows the claims.
            metadata: { name: INGEST_WAL_CLAIM, labels: stableLabels(pipeline, 'ingest') },
            spec: {
              accessModes: ['ReadWriteOnce'],
              ...(storageClassName ? { storageClassName } : {}),
              resources: { requests: { storage: Quantity.fromString(size) } },
            },
          },
        ],
      },
    });
    httpService(this, pipeline, 'ingest');
    headlessService(this, pipeline, 'ingest', [{ name: 'http', port: HTTP_PORT }]);
    if (ingestion.autoscaling.enabled) {
      const { minReplicas, maxReplicas, targetCPUUtilizationPercentage } = ingestion.autoscaling;
      new KubeHorizontalPodAutoscalerV2(this, 'hpa', {
        metadata,
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name },
          minReplicas,
          maxReplicas,
          metrics: [
            {
              type: 'Resource',
              resource: {
                name: 'cpu',
                target: { type: 'Utilization', averageUtilization: targetCPUUtilizationPercentage },
              },
            },
          ],
        },
      });
    }
    new KubePodDisruptionBudget(this, 'pdb', {
      metadata,
      spec: {
        minAvailable: IntOrString.fromNumber(ingestion.minAvailable),
        selector: { matchLabels: selector },
      },
    });
  }
}
