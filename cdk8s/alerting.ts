import { Construct } from 'constructs';
import { stringify } from 'yaml';
import {
  KubeConfigMap,
  KubeDeployment,
  KubeRole,
  KubeRoleBinding,
  KubeServiceAccount,
  type EnvVar,
  type Volume,
  type VolumeMount,
} from './k8s-imports.js';
import { ALERT_RULE_PLURAL } from '../crds/gravix-alert-rule-crd.js';
import { GROUP } from '../crds/gravix-pipeline-crd.js';
import type { GravixPipeline } from '../crds/gravix-pipeline.js';
import { CONFIG_HASH_ANNOTATION, hashConfig } from './config-hash.js';
import { imagePullSecrets, imageRef } from './images.js';
import type { WorkloadProps } from './ingestion.js';
import { childMetadata, childName, selectorLabels } from './naming.js';
import { configMapName, HTTP_PORT, s3CredentialEnv } from './pipeline-config.js';
import { podSecurity, WORKERS_UID, workersContainer, workersVolumes } from './pod-defaults.js';
import { waitForStorageContainer } from './storage-setup.js';

type AlertChannel = GravixPipeline['spec']['alerts']['channels'][number];

export const ALERT_CHANNELS_DIR = '/etc/gravix/alert-channels';

/**
 * What the alert worker may do in its namespace (its Role). The operator holds the same rules itself, because the
 * apiserver lets nobody grant what it does not hold (operator/domain/kind-registry.ts adds them to its rules).
 */
export const ALERT_WORKER_RULES = [
  { apiGroups: [GROUP], resources: [ALERT_RULE_PLURAL], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [GROUP], resources: [`${ALERT_RULE_PLURAL}/status`], verbs: ['get', 'patch'] },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
];

/** The Lease that lets exactly one alert worker replica of a pipeline evaluate. */
export const alertLeaseName = (pipeline: GravixPipeline) => childName(pipeline, 'alert');

/**
 * Where a channel's URL and HMAC key are mounted from their Secret keys. Files, not environment variables: the
 * kubelet swaps a mounted Secret's files in place when the Secret changes, and the worker re-reads them before a
 * delivery (workers/alert/adapters/channel-source.ts), so a rotated URL or signing key applies without a restart.
 */
export const ALERT_CHANNEL_SECRETS_DIR = '/etc/gravix/alert-channel-secrets';

/** A channel's files under ALERT_CHANNEL_SECRETS_DIR (channel names are unique, lowercase, digits and -). */
export function alertChannelSecretPaths(channel: Pick<AlertChannel, 'name'>) {
  return { url: `${channel.name}/url`, hmac: `${channel.name}/hmac` };
}

/** The channels file `gravix alert` reads (workers/alert/adapters/notification-channels.ts): names, types, files. */
export function buildAlertChannelsFile(pipeline: GravixPipeline): string {
  const channels = pipeline.spec.alerts.channels.map((c) => {
    const paths = alertChannelSecretPaths(c);
    return {
      name: c.name,
      type: c.type,
      url: { file: `${ALERT_CHANNEL_SECRETS_DIR}/${paths.url}` },
      ...(c.hmacSecretRef ? { secret: { file: `${ALERT_CHANNEL_SECRETS_DIR}/${paths.hmac}` } } : {}),
    };
  });
  return stringify({ channels });
}

/** One projected volume of every channel's Secret keys; undefined without channels (a projection needs a source). */
export function alertChannelSecretsVolume(pipeline: GravixPipeline): Volume | undefined {
  const sources = pipeline.spec.alerts.channels.flatMap((c) => {
    const paths = alertChannelSecretPaths(c);
    const refs = [{ ref: c.urlSecretRef, path: paths.url }];
    if (c.hmacSecretRef) refs.push({ ref: c.hmacSecretRef, path: paths.hmac });
    return refs.map(({ ref, path }) => ({ secret: { name: ref.name, items: [{ key: ref.key, path }] } }));
  });
  if (sources.length === 0) return undefined;
  // Owner and group (fsGroup) may read; nobody else.
  return { name: 'alert-channel-secrets', projected: { sources, defaultMode: 0o440 } };
}

/** Where a notification's "Open dashboard" link points: the Ingress host when there is one, else the Service. */
export function alertDashboardUrl(pipeline: GravixPipeline): string {
  const { ingress } = pipeline.spec;
  if (ingress.enabled && ingress.host)
    return `${ingress.tlsSecretName ? 'https' : 'http'}://${ingress.host}/`;
  return `http://${childName(pipeline, 'query')}:${HTTP_PORT}/`;
}

/** `gravix alert`'s settings for Kubernetes (workers/alert/config.ts); the shared ones come from the ConfigMap. */
export function buildAlertEnv(pipeline: GravixPipeline): EnvVar[] {
  return [
    { name: 'GRAVIX_ALERT_PIPELINE', value: pipeline.metadata.name },
    { name: 'GRAVIX_ALERT_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    // The Lease holder: each replica by its pod name.
    { name: 'GRAVIX_ALERT_IDENTITY', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'GRAVIX_ALERT_LEASE_NAME', value: alertLeaseName(pipeline) },
    { name: 'GRAVIX_ALERT_METRICS_PORT', value: String(HTTP_PORT) },
    { name: 'GRAVIX_ALERT_CHANNELS_FILE', value: `${ALERT_CHANNELS_DIR}/channels.yaml` },
    { name: 'GRAVIX_ALERT_DASHBOARD_URL', value: alertDashboardUrl(pipeline) },
  ];
}

/**
 * The alert evaluator (issue #20, docs/alerts.md): a Deployment whose replicas elect one evaluator through a Lease,
 * a ServiceAccount with a Role to read GravixAlertRules, write their status and hold the Lease, and the channels
 * file as a ConfigMap. Only when `spec.alerts.enabled`; the operator prunes all of it when it is turned off.
 */
export class Alerting extends Construct {
  constructor(scope: Construct, id: string, props: WorkloadProps) {
    super(scope, id);
    const { pipeline } = props;
    const name = childName(pipeline, 'alert');
    const metadata = childMetadata(pipeline, 'alert', name);
    new KubeServiceAccount(this, 'service-account', { metadata });
    new KubeRole(this, 'role', { metadata, rules: ALERT_WORKER_RULES });
    new KubeRoleBinding(this, 'role-binding', {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: pipeline.metadata.namespace }],
    });
    const channels = buildAlertChannelsFile(pipeline);
    const channelsConfigMap = childName(pipeline, 'alert-channels');
    new KubeConfigMap(this, 'channels', {
      metadata: childMetadata(pipeline, 'alert', channelsConfigMap),
      data: { 'channels.yaml': channels },
    });
    const container = workersContainer({
      name: 'alert',
      image: imageRef(pipeline, 'workers'),
      args: ['alert'],
      resources: pipeline.spec.alerts.resources,
      configMapName: configMapName(pipeline),
      env: [...s3CredentialEnv(pipeline, 'alert'), ...buildAlertEnv(pipeline)],
      serve: true,
      apiKeys: false,
    });
    const { replicas } = pipeline.spec.alerts;
    const secretsVolume = alertChannelSecretsVolume(pipeline);
    const mounts: VolumeMount[] = [
      { name: 'alert-channels', mountPath: ALERT_CHANNELS_DIR, readOnly: true },
      ...(secretsVolume
        ? [{ name: secretsVolume.name, mountPath: ALERT_CHANNEL_SECRETS_DIR, readOnly: true }]
        : []),
    ];
    new KubeDeployment(this, 'deployment', {
      metadata,
      spec: {
        replicas,
        selector: { matchLabels: selectorLabels(pipeline, 'alert') },
        template: {
          metadata: {
            labels: metadata.labels,
            annotations: { [CONFIG_HASH_ANNOTATION]: hashConfig({ channels }, props.configHash) },
          },
          spec: {
            serviceAccountName: name,
            // The one pipeline pod that talks to the apiserver (its Lease, rules and their status).
            automountServiceAccountToken: true,
            ...imagePullSecrets(pipeline),
            securityContext: podSecurity({ uid: WORKERS_UID, readOnlyRootFilesystem: true }),
            terminationGracePeriodSeconds: 30,
            initContainers: [waitForStorageContainer(pipeline, 'alert')],
            containers: [
              {
                ...container,
                volumeMounts: [...(container.volumeMounts ?? []), ...mounts],
              },
            ],
            volumes: [
              ...workersVolumes(undefined),
              { name: 'alert-channels', configMap: { name: channelsConfigMap } },
              ...(secretsVolume ? [secretsVolume] : []),
            ],
          },
        },
      },
    });
  }
}
