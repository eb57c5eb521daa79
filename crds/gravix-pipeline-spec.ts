import { z } from 'zod';
import { parseQuantityBytes } from './quantity.js';
import { oidcSchema, secretKeyRef, traceUrlTemplateSchema } from './pipeline-query-spec.js';

/**
 * The one source of truth for GravixPipeline: the CRD's OpenAPI schema is generated from these zod schemas
 * (crds/gravix-pipeline-crd.ts) and the TypeScript types are inferred from them. Each CEL rule below is also
 * enforced by a zod refinement with the same message, so `gravix synth` rejects what the apiserver rejects.
 */

const cel = (rule: string, message: string) => ({ rule, message });

// The apiserver's own quantity grammar, so a typo fails at admission instead of at apply time.
const QUANTITY =
  /^(\+)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/;
export const NON_NEGATIVE_RULE = cel(
  "!self.startsWith('-')",
  'must be a non-negative Kubernetes quantity such as 500m or 2Gi',
);
// The regex has no minus sign; the CEL rule says why in words at admission (a pattern error does not).
const quantity = z
  .string()
  .max(32)
  .regex(QUANTITY, NON_NEGATIVE_RULE.message)
  .meta({ 'x-kubernetes-validations': [NON_NEGATIVE_RULE] });
const name = z.string().min(1).max(253);

const resourcesSchema = z
  .object({
    cpu: quantity.describe('CPU request, e.g. 250m'),
    memory: quantity.describe('memory request and limit, e.g. 512Mi'),
  })
  .describe('requests; memory is also the limit (no CPU limit, to avoid throttling)');

const withResources = (cpu: string, memory: string) => resourcesSchema.default({ cpu, memory });

export const HPA_RULE = cel('self.minReplicas <= self.maxReplicas', 'minReplicas must be <= maxReplicas');
const autoscalingSchema = z
  .object({
    enabled: z.boolean().default(true),
    minReplicas: z.number().int().min(1).max(100).default(2),
    maxReplicas: z.number().int().min(1).max(100).default(10),
    targetCPUUtilizationPercentage: z.number().int().min(10).max(100).default(70),
  })
  .meta({ 'x-kubernetes-validations': [HPA_RULE] })
  .refine((a) => a.minReplicas <= a.maxReplicas, { message: HPA_RULE.message, path: ['minReplicas'] });

// A PodDisruptionBudget asking for more pods than run blocks every drain.
export const MIN_AVAILABLE_RULE = cel(
  'self.minAvailable <= (self.autoscaling.enabled ? self.autoscaling.minReplicas : self.replicas)',
  'minAvailable must be <= the ingest replicas (autoscaling.minReplicas when autoscaling is enabled)',
);
// Each ingest replica keeps its write-ahead log on a claim of its own (a StatefulSet volume claim template).
export const WAL_SIZE_RULE = cel(
  'quantity(self).compareTo(quantity(oldSelf)) >= 0',
  'ingestion.wal.size cannot shrink',
);
export const WAL_CLASS_RULE = cel(
  'has(self.storageClassName) == has(oldSelf.storageClassName) && ' +
    '(!has(self.storageClassName) || self.storageClassName == oldSelf.storageClassName)',
  'ingestion.wal.storageClassName is immutable',
);
const walSchema = z
  .object({
    size: quantity
      .default('4Gi')
      .describe(
        'write-ahead log volume per ingest replica; may grow (the operator expands the claims), not shrink',
      )
      .meta({ 'x-kubernetes-validations': [WAL_SIZE_RULE] }),
    storageClassName: name.optional(),
  })
  .meta({ 'x-kubernetes-validations': [WAL_CLASS_RULE] });

const ingestionSchema = z
  .object({
    replicas: z.number().int().min(1).max(100).default(2).describe('used when autoscaling is disabled'),
    autoscaling: autoscalingSchema.default(autoscalingSchema.parse({})),
    minAvailable: z.number().int().min(0).max(100).default(1).describe('PodDisruptionBudget minAvailable'),
    resources: withResources('250m', '512Mi'),
    wal: walSchema.default({ size: '4Gi' }),
  })
  .meta({ 'x-kubernetes-validations': [MIN_AVAILABLE_RULE] })
  .refine((i) => i.minAvailable <= (i.autoscaling.enabled ? i.autoscaling.minReplicas : i.replicas), {
    message: MIN_AVAILABLE_RULE.message,
    path: ['minAvailable'],
  });

const rollupSchema = z.object({
  intervalSeconds: z
    .number()
    .int()
    .min(10)
    .max(3600)
    .default(30)
    .describe('seconds between rollup passes; the open hour is included, so charts lag about this much'),
  resources: withResources('250m', '1Gi'),
});

const querySchema = z.object({
  replicas: z.number().int().min(1).max(20).default(1),
  resources: withResources('100m', '256Mi'),
  oidc: oidcSchema.optional(),
  traceUrlTemplate: traceUrlTemplateSchema,
});

// Trino's JVM heap, query memory and headroom all derive from its container memory (cdk8s/trino-config.ts); under
// 1Gi the heap left after the JVM's own needs cannot hold a query.
export const TRINO_MIN_MEMORY = '1Gi';
const trinoMemoryRule = (field: string) =>
  cel(
    `quantity(self.${field}.memory).compareTo(quantity('${TRINO_MIN_MEMORY}')) >= 0`,
    `trino.${field}.memory must be at least ${TRINO_MIN_MEMORY}: the JVM heap and query memory are derived from it`,
  );
export const TRINO_COORDINATOR_MEMORY_RULE = trinoMemoryRule('coordinatorResources');
export const TRINO_WORKER_MEMORY_RULE = trinoMemoryRule('workerResources');
const GIB = 2 ** 30;
const trinoSchema = z
  .object({
    workers: z.number().int().min(0).max(50).default(1),
    coordinatorResources: withResources('500m', '2Gi').describe(
      'memory is the container limit; the JVM heap is 70% of it and a query may use half the heap per node',
    ),
    workerResources: withResources('500m', '2Gi'),
  })
  .meta({ 'x-kubernetes-validations': [TRINO_COORDINATOR_MEMORY_RULE, TRINO_WORKER_MEMORY_RULE] })
  .refine((t) => (parseQuantityBytes(t.coordinatorResources.memory) ?? GIB) >= GIB, {
    message: TRINO_COORDINATOR_MEMORY_RULE.message,
    path: ['coordinatorResources', 'memory'],
  })
  .refine((t) => (parseQuantityBytes(t.workerResources.memory) ?? GIB) >= GIB, {
    message: TRINO_WORKER_MEMORY_RULE.message,
    path: ['workerResources', 'memory'],
  });

// Cube was removed (docs/adr/0068). Old objects that set these fields stay valid; the operator ignores them and
// says so with a Warning Event.
const cubeSchema = z
  .object({
    enabled: z.boolean().default(false),
    resources: withResources('250m', '512Mi'),
  })
  .describe('deprecated and ignored: Cube was removed (docs/adr/0068); kept so existing objects stay valid');

export const EXTERNAL_S3_RULE = cel(
  "self.mode != 'external' || (has(self.external) && has(self.external.secretRef))",
  'external.secretRef is required when mode is external',
);
export const STORAGE_MODE_RULE = cel('self == oldSelf', 'storage.mode is immutable');
export const BUCKET_RULE = cel('self == oldSelf', 'storage.bucket is immutable');
const BUCKET_PATTERN = '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$';
export const BUCKET_NAME_RULE = cel(
  `self.matches('${BUCKET_PATTERN}')`,
  'bucket must be 3-63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit',
);
// A claim can grow (when its StorageClass allows expansion) but never shrink; its class is fixed at creation.
export const MINIO_SIZE_RULE = cel(
  'quantity(self).compareTo(quantity(oldSelf)) >= 0',
  'storage.minio.size cannot shrink',
);
export const MINIO_CLASS_RULE = cel(
  'has(self.storageClassName) == has(oldSelf.storageClassName) && ' +
    '(!has(self.storageClassName) || self.storageClassName == oldSelf.storageClassName)',
  'storage.minio.storageClassName is immutable',
);

const storageSchema = z
  .object({
    mode: z
      .enum(['minio', 'external'])
      .default('minio')
      .meta({ 'x-kubernetes-validations': [STORAGE_MODE_RULE] }),
    bucket: z
      .string()
      .min(3)
      .max(63)
      .regex(new RegExp(BUCKET_PATTERN), BUCKET_NAME_RULE.message)
      .default('gravix')
      .meta({ 'x-kubernetes-validations': [BUCKET_RULE, BUCKET_NAME_RULE] }),
    minio: z
      .object({
        size: quantity
          .default('20Gi')
          .describe('MinIO volume; may grow (the operator expands the claim) but not shrink')
          .meta({ 'x-kubernetes-validations': [MINIO_SIZE_RULE] }),
        storageClassName: name.optional(),
      })
      .meta({ 'x-kubernetes-validations': [MINIO_CLASS_RULE] })
      .default({ size: '20Gi' }),
    external: z
      .object({
        endpoint: z.string().max(512).optional().describe('S3 endpoint URL; empty means AWS'),
        region: z.string().max(64).default('us-east-1'),
        secretRef: z.object({ name }).optional().describe('Secret with keys accessKeyId and secretAccessKey'),
        createBucket: z
          .boolean()
          .default(false)
          .describe('create the bucket if it is missing; otherwise the storage Job fails and says so'),
      })
      .optional(),
  })
  .meta({ 'x-kubernetes-validations': [EXTERNAL_S3_RULE] })
  .refine((s) => s.mode !== 'external' || s.external?.secretRef !== undefined, {
    message: EXTERNAL_S3_RULE.message,
    path: ['external', 'secretRef'],
  });

export const INGRESS_HOST_RULE = cel(
  '!self.enabled || has(self.host)',
  'host is required when ingress is enabled',
);
const ingressSchema = z
  .object({
    enabled: z.boolean().default(false),
    host: z.string().max(253).optional(),
    className: z.string().max(253).optional(),
    tlsSecretName: name.optional(),
  })
  .meta({ 'x-kubernetes-validations': [INGRESS_HOST_RULE] })
  .refine((i) => !i.enabled || i.host !== undefined, { message: INGRESS_HOST_RULE.message, path: ['host'] });

const monitoringSchema = z.object({
  enabled: z
    .boolean()
    .default(false)
    .describe('ServiceMonitor, PrometheusRule and Grafana dashboard ConfigMap'),
});

export const ALERT_WEBHOOK_SECRET_RULE = cel(
  "self.type != 'webhook' || has(self.hmacSecretRef)",
  'hmacSecretRef is required for a webhook channel: webhooks are signed',
);
// Unique names: the CRD makes channels a list-map keyed by name (the apiserver refuses a duplicate key; a CEL
// all/exists_one over the list is over the rule cost budget).
export const ALERT_CHANNEL_NAMES_MESSAGE = 'alerts.channels: each channel name must be unique';
const alertChannelSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9][-a-z0-9]{0,62}$/, 'must be a channel name (lowercase letters, digits, -)')
      .describe('the name GravixAlertRule channels refer to'),
    type: z.enum(['slack', 'webhook', 'alertmanager']),
    // Channel URLs are credentials (a Slack webhook URL posts to the channel): the CR names a Secret key, never a URL.
    urlSecretRef: secretKeyRef.describe('the Slack webhook URL, webhook URL or Alertmanager base URL'),
    hmacSecretRef: secretKeyRef.optional().describe('the HMAC-SHA256 key that signs webhook bodies'),
  })
  .meta({ 'x-kubernetes-validations': [ALERT_WEBHOOK_SECRET_RULE] })
  .refine((c) => c.type !== 'webhook' || c.hmacSecretRef !== undefined, {
    message: ALERT_WEBHOOK_SECRET_RULE.message,
    path: ['hmacSecretRef'],
  });
const alertsSchema = z.object({
  enabled: z
    .boolean()
    .default(false)
    .describe('run `gravix alert` (evaluates the GravixAlertRules that name this pipeline)'),
  replicas: z
    .number()
    .int()
    .min(1)
    .max(3)
    .default(2)
    .describe('a Lease lets exactly one replica evaluate; the others stand by'),
  resources: withResources('100m', '256Mi'),
  channels: z
    .array(alertChannelSchema)
    .max(16)
    .default([])
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] })
    .refine((cs) => new Set(cs.map((c) => c.name)).size === cs.length, {
      message: ALERT_CHANNEL_NAMES_MESSAGE,
    }),
});

// A registry host with an optional port and path, as in docker's reference grammar: no scheme, no trailing slash.
const REGISTRY = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*$/;
const registry = z
  .string()
  .max(255)
  .regex(REGISTRY, 'must be a registry host[:port][/path] without scheme or trailing slash');
const imageSchema = z.object({
  registry: registry.optional().describe('this image only; overrides images.registry'),
  repository: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[a-z0-9]([a-z0-9._/-]*[a-z0-9])?$/, 'must be a repository path such as gravix/gravix-workers')
    .optional(),
  tag: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[\w][\w.-]*$/, 'must be an image tag such as 476')
    .optional(),
});

const imagesSchema = z
  .object({
    registry: registry
      .optional()
      .describe(
        'prepended to every image the pipeline runs (workers, Trino, MinIO); unset: Docker Hub names',
      ),
    workers: imageSchema
      .omit({ tag: true })
      .optional()
      .describe('the Gravix workers image; its tag is spec.version'),
    trino: imageSchema.optional(),
    minio: imageSchema.optional(),
    cube: imageSchema.optional().describe('deprecated and ignored: Cube was removed (docs/adr/0068)'),
    pullSecrets: z
      .array(z.object({ name }))
      .max(8)
      .optional()
      .describe('imagePullSecrets for every pod of the pipeline (a private registry)'),
  })
  .describe('where images come from; unset repositories and tags take the defaults of this Gravix release');

// The version is the workers image tag and the app.kubernetes.io/version label value: both grammars at once.
const VERSION_PATTERN = '^[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?$';
export const VERSION_RULE = cel(
  `self.matches('${VERSION_PATTERN}')`,
  'version must be an image tag and label value (letters, digits, _ . -, starting and ending with a letter or digit)',
);

// Without a redirect URL the callback is derived from the Ingress host, so one of the two must be there.
export const OIDC_REDIRECT_SOURCE_RULE = cel(
  '!has(self.query.oidc) || has(self.query.oidc.redirectUrl) || (self.ingress.enabled && has(self.ingress.host))',
  'query.oidc.redirectUrl is required unless the ingress is enabled with a host',
);

export const pipelineSpecSchema = z
  .object({
    version: z
      .string()
      .min(1)
      .max(63)
      .regex(new RegExp(VERSION_PATTERN), VERSION_RULE.message)
      .default('0.1.0')
      .describe('Gravix workers image tag')
      .meta({ 'x-kubernetes-validations': [VERSION_RULE] }),
    images: imagesSchema.default({}),
    retentionDays: z.number().int().min(1).max(3650).default(30),
    ingestion: ingestionSchema.default(ingestionSchema.parse({})),
    rollup: rollupSchema.default(rollupSchema.parse({})),
    query: querySchema.default(querySchema.parse({})),
    trino: trinoSchema.default(trinoSchema.parse({})),
    cube: cubeSchema.default(cubeSchema.parse({})),
    storage: storageSchema.default(storageSchema.parse({})),
    ingress: ingressSchema.default(ingressSchema.parse({})),
    networkPolicies: z.object({ enabled: z.boolean().default(true) }).default({ enabled: true }),
    monitoring: monitoringSchema.default({ enabled: false }),
    alerts: alertsSchema.default(alertsSchema.parse({})),
  })
  .meta({ 'x-kubernetes-validations': [OIDC_REDIRECT_SOURCE_RULE] })
  .refine(
    (s) =>
      !s.query.oidc ||
      s.query.oidc.redirectUrl !== undefined ||
      (s.ingress.enabled && s.ingress.host !== undefined),
    { message: OIDC_REDIRECT_SOURCE_RULE.message, path: ['query', 'oidc', 'redirectUrl'] },
  );

const conditionSchema = z.object({
  type: z.string().max(64),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().max(128),
  message: z.string().max(4096),
  observedGeneration: z.number().int().optional(),
  lastTransitionTime: z.string().max(64),
});

export const pipelineStatusSchema = z.object({
  observedGeneration: z.number().int().optional(),
  phase: z.string().max(32).optional(),
  ingestReplicas: z.number().int().optional(),
  conditions: z.array(conditionSchema).max(16).optional(),
});

export type PipelineSpecInput = z.input<typeof pipelineSpecSchema>;
export type PipelineSpec = z.output<typeof pipelineSpecSchema>;
export type PipelineStatus = z.output<typeof pipelineStatusSchema>;
export type PipelineCondition = z.output<typeof conditionSchema>;
