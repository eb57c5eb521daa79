import {
  IntOrString,
  Quantity,
  type Container,
  type PodSecurityContext,
  type Probe,
  type ResourceRequirements,
  type SecurityContext,
  type Volume,
} from './k8s-imports.js';
import { API_KEYS_DIR, DATA_DIR } from './pipeline-config.js';
import { TENANTS_DIR, TENANTS_FILE, TENANTS_VOLUME } from './tenants-config.js';

export interface ResourceSpec {
  cpu: string;
  memory: string;
}

/** Memory limit = request (OOM instead of node pressure); no CPU limit, because throttling hurts latency more. */
export function resources(spec: ResourceSpec): ResourceRequirements {
  return {
    requests: { cpu: Quantity.fromString(spec.cpu), memory: Quantity.fromString(spec.memory) },
    limits: { memory: Quantity.fromString(spec.memory) },
  };
}

export interface SecurityOptions {
  uid: number;
  /** Trino and MinIO write outside their volumes, so they cannot run with a read-only root. */
  readOnlyRootFilesystem: boolean;
}

export function podSecurity(options: SecurityOptions): PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: options.uid,
    runAsGroup: options.uid,
    fsGroup: options.uid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function containerSecurity(options: SecurityOptions): SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: options.readOnlyRootFilesystem,
    capabilities: { drop: ['ALL'] },
  };
}

export function httpProbe(path: string, port: string, periodSeconds = 10, failureThreshold = 3): Probe {
  return {
    httpGet: { path, port: IntOrString.fromString(port) },
    periodSeconds,
    failureThreshold,
    timeoutSeconds: 3,
  };
}

export const WORKERS_UID = 10001;

/**
 * Volumes behind workersContainer's mounts: the root filesystem is read-only, so every write has a volume.
 * `data` is scratch space, except for ingest, whose write-ahead log is a claim of the StatefulSet's own
 * (`dataFromClaim`): an emptyDir would take acknowledged facts with it when the pod goes.
 */
export function workersVolumes(
  apiKeysSecret: string | undefined,
  options: { dataFromClaim?: boolean; tenantsConfigMap?: string } = {},
): Volume[] {
  return [
    ...(options.tenantsConfigMap
      ? [{ name: TENANTS_VOLUME, configMap: { name: options.tenantsConfigMap } }]
      : []),
    { name: 'tmp', emptyDir: {} },
    ...(options.dataFromClaim ? [] : [{ name: 'data', emptyDir: { sizeLimit: Quantity.fromString('1Gi') } }]),
    ...(apiKeysSecret
      ? [
          {
            name: 'api-keys',
            secret: { secretName: apiKeysSecret, items: [{ key: 'keys.json', path: 'keys.json' }] },
          },
        ]
      : []),
  ];
}

/** A Gravix workers container: same image for ingest, rollup and query, different subcommand. */
export function workersContainer(props: {
  name: string;
  image: string;
  args: string[];
  resources: ResourceSpec;
  configMapName: string;
  env: Container['env'];
  serve: boolean;
  /** A listener of its own for /metrics (the query server's), declared as the container port `metrics`. */
  metricsPort?: number;
  /** Mount the hashed API keys file (ingest and query authenticate requests). */
  apiKeys: boolean;
  /** Mount the pipeline's tenants file (workersVolumes' tenantsConfigMap) and point GRAVIX_TENANTS_FILE at it. */
  tenants?: boolean;
}): Container {
  const security = { uid: WORKERS_UID, readOnlyRootFilesystem: true };
  return {
    name: props.name,
    image: props.image,
    imagePullPolicy: 'IfNotPresent',
    args: props.args,
    envFrom: [{ configMapRef: { name: props.configMapName } }],
    env: [
      ...(props.env ?? []),
      ...(props.tenants ? [{ name: 'GRAVIX_TENANTS_FILE', value: `${TENANTS_DIR}/${TENANTS_FILE}` }] : []),
    ],
    resources: resources(props.resources),
    securityContext: containerSecurity(security),
    volumeMounts: [
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'data', mountPath: DATA_DIR },
      ...(props.apiKeys ? [{ name: 'api-keys', mountPath: API_KEYS_DIR, readOnly: true }] : []),
      ...(props.tenants ? [{ name: TENANTS_VOLUME, mountPath: TENANTS_DIR, readOnly: true }] : []),
    ],
    ...(props.serve
      ? {
          ports: [
            { name: 'http', containerPort: 8080 },
            ...(props.metricsPort === undefined
              ? []
              : [{ name: 'metrics', containerPort: props.metricsPort }]),
          ],
          // Query and alert open their engine (Trino DDL and warm-up) and ingest replays its log before they listen:
          // minutes on a loaded node. Without a startup probe, liveness killed them mid-start (query and alert
          // restarted 2-3 times each on the test cluster at load 30). Up to 5 minutes to start, then liveness.
          startupProbe: httpProbe('/live', 'http', 5, 60),
          readinessProbe: httpProbe('/ready', 'http', 5),
          livenessProbe: httpProbe('/live', 'http', 10, 6),
        }
      : {}),
  };
}
