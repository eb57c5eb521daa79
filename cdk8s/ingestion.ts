import { Construct } from 'constructs';
import {
  IntOrString,
  KubeDeployment,
  KubeHorizontalPodAutoscalerV2,
  KubePodDisruptionBudget,
  KubeService,
} from './k8s-imports.js';
import type { GravixPipeline } from '../crds/gravix-pipeline.js';
import { CONFIG_HASH_ANNOTATION } from './config-hash.js';
import { childMetadata, childName, selectorLabels } from './naming.js';
import { configMapName, HTTP_PORT, METRICS_PORT, s3CredentialEnv } from './pipeline-config.js';
import { waitForStorageContainer } from './storage-setup.js';
import { podSecurity, WORKERS_UID, workersContainer, workersVolumes } from './pod-defaults.js';
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

/** Ingestion API: Deployment + Service + HPA (when enabled) + PDB. */
export class Ingestion extends Construct {
  constructor(scope: Construct, id: string, props: WorkloadProps) {
    super(scope, id);
    const { pipeline } = props;
    const { ingestion } = pipeline.spec;
    const name = childName(pipeline, 'ingest');
    const metadata = childMetadata(pipeline, 'ingest', name);
    const selector = selectorLabels(pipeline, 'ingest');
    new KubeDeployment(this, 'deployment', {
      metadata,
      spec: {
        // With an HPA the replica count belongs to the HPA; applying one here would fight it on every pass.
        ...(ingestion.autoscaling.enabled ? {} : { replicas: ingestion.replicas }),
        selector: { matchLabels: selector },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: IntOrString.fromNumber(0) } },
        template: {
          metadata: { labels: metadata.labels, annotations: { [CONFIG_HASH_ANNOTATION]: props.configHash } },
          spec: {
            automountServiceAccountToken: false,
            ...imagePullSecrets(pipeline),
            securityContext: podSecurity({ uid: WORKERS_UID, readOnlyRootFilesystem: true }),
            // Ingest drains its write-ahead log on SIGTERM before exiting.
            terminationGracePeriodSeconds: 60,
            initContainers: [waitForStorageContainer(pipeline, 'ingest')],
            containers: [
              workersContainer({
                name: 'ingest',
                image: imageRef(pipeline, 'workers'),
                args: ['ingest'],
                resources: ingestion.resources,
                configMapName: configMapName(pipeline),
                env: s3CredentialEnv(pipeline, 'ingest'),
                serve: true,
                apiKeys: true,
                metricsPort: METRICS_PORT,
              }),
            ],
            volumes: workersVolumes(childName(pipeline, 'api-keys'), '4Gi'),
          },
        },
      },
    });
    httpService(this, pipeline, 'ingest');
    if (ingestion.autoscaling.enabled) {
      const { minReplicas, maxReplicas, targetCPUUtilizationPercentage } = ingestion.autoscaling;
      new KubeHorizontalPodAutoscalerV2(this, 'hpa', {
        metadata,
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
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
