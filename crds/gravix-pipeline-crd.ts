import { z } from 'zod';
import { pipelineSpecSchema, pipelineStatusSchema } from './gravix-pipeline-spec.js';

export const GROUP = 'gravix.dev';
/** The version the operator reads and writes, and the storage version (docs/adr/0070). */
export const VERSION = 'v1beta1';
/** Older versions still served, with the same schema (conversion strategy None), so old manifests keep applying. */
export const DEPRECATED_VERSIONS = ['v1alpha1'] as const;
export const KIND = 'GravixPipeline';
export const PLURAL = 'gravixpipelines';
export const API_VERSION = `${GROUP}/${VERSION}` as const;
export const SERVED_API_VERSIONS = [API_VERSION, ...DEPRECATED_VERSIONS.map((v) => `${GROUP}/${v}`)] as const;
export const CRD_NAME = `${PLURAL}.${GROUP}`;

/**
 * The longest child names and the limit each must keep. The StatefulSet controller labels pods with
 * `controller-revision-hash: <statefulset>-<10-char hash>`, a label value (<= 63), so a StatefulSet name may have
 * at most 52 characters; a Job's name becomes its pods' `job-name` label (<= 63). cdk8s/naming-bounds.test.ts
 * synthesizes a pipeline with the longest name and checks every child against these limits.
 */
const LONGEST_CHILDREN = [
  { suffix: '-trino-coordinator', max: 52 },
  { suffix: '-storage-setup-00000000', max: 63 },
];
export const MAX_NAME_LENGTH = Math.min(...LONGEST_CHILDREN.map((c) => c.max - c.suffix.length));
export const NAME_PATTERN = '^[a-z]([-a-z0-9]*[a-z0-9])?$';

export const NAME_RULE = {
  rule: `self.metadata.name.size() <= ${MAX_NAME_LENGTH}`,
  message: `metadata.name must be at most ${MAX_NAME_LENGTH} characters`,
};
// Services need a DNS-1035 label: a leading digit or a dot passes the CRD's name check but fails at apply.
export const NAME_FORMAT_RULE = {
  rule: `self.metadata.name.matches('${NAME_PATTERN}')`,
  message: 'metadata.name must be a DNS label starting with a letter (lowercase letters, digits, hyphens)',
};

type JsonSchema = Record<string, unknown>;

/** Keys zod emits that a structural schema rejects or that only add noise. */
function dropKey(key: string, value: unknown): boolean {
  if (key === '$schema') return true;
  if (key === 'additionalProperties') return value === false;
  // zod bounds integers to Number.MAX_SAFE_INTEGER, which only adds noise to the CRD.
  return (key === 'maximum' || key === 'minimum') && Math.abs(value as number) >= Number.MAX_SAFE_INTEGER;
}

/** zod emits JSON Schema; Kubernetes wants a structural OpenAPI v3 subset, so drop what it rejects. */
function toStructural(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toStructural);
  if (node === null || typeof node !== 'object') return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (dropKey(key, value)) continue;
    // Defaults and CEL rules are data, not schema: copy them verbatim.
    out[key] = key === 'default' || key === 'x-kubernetes-validations' ? value : toStructural(value);
  }
  return out;
}

/** The structural OpenAPI schema of a zod schema (also used by the GravixAlertRule CRD). */
export function openApiSchema(schema: z.ZodType): JsonSchema {
  return toStructural(z.toJSONSchema(schema, { io: 'input', target: 'openapi-3.0' })) as JsonSchema;
}

/** A Gravix custom resource's root schema: the object-level CEL rules, then spec and status from their zod schemas. */
export function customResourceSchema(
  validations: unknown[],
  spec: z.ZodType,
  status: z.ZodType,
): Record<string, unknown> {
  return {
    openAPIV3Schema: {
      type: 'object',
      required: ['spec'],
      'x-kubernetes-validations': validations,
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { type: 'object' },
        spec: openApiSchema(spec),
        status: openApiSchema(status),
      },
    },
  };
}

const printerColumns = [
  { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Available")].status' },
  { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
  { name: 'Ingest', type: 'integer', jsonPath: '.status.ingestReplicas', description: 'ingestion replicas' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

/** One served version. Every version has the same schema: that is what lets the apiserver convert with None. */
function crdVersion(name: string, storage: boolean): Record<string, unknown> {
  const deprecated = name !== VERSION;
  return {
    name,
    served: true,
    storage,
    ...(deprecated
      ? {
          deprecated: true,
          deprecationWarning: `${GROUP}/${name} ${KIND} is deprecated; use ${API_VERSION} (the same fields)`,
        }
      : {}),
    subresources: { status: {} },
    additionalPrinterColumns: printerColumns,
    schema: customResourceSchema([NAME_RULE, NAME_FORMAT_RULE], pipelineSpecSchema, pipelineStatusSchema),
  };
}

/** Builds the GravixPipeline CustomResourceDefinition as a plain manifest (apply it raw, not via typed clients). */
export function buildPipelineCrd(): Record<string, unknown> {
  const names = [VERSION, ...DEPRECATED_VERSIONS];
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: CRD_NAME, labels: { 'app.kubernetes.io/part-of': 'gravix' } },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: {
        plural: PLURAL,
        singular: 'gravixpipeline',
        kind: KIND,
        shortNames: ['gxp'],
        categories: ['gravix'],
      },
      // Same schema in every version: the apiserver only rewrites apiVersion (docs/adr/0070).
      conversion: { strategy: 'None' },
      versions: names.map((name) => crdVersion(name, name === VERSION)),
    },
  };
}
