import { z } from 'zod';
import {
  API_VERSION,
  SERVED_API_VERSIONS,
  KIND,
  MAX_NAME_LENGTH,
  NAME_FORMAT_RULE,
  NAME_PATTERN,
  NAME_RULE,
} from './gravix-pipeline-crd.js';
import { pipelineSpecSchema, type PipelineSpec, type PipelineStatus } from './gravix-pipeline-spec.js';

export interface PipelineMetadata {
  name: string;
  namespace: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  deletionTimestamp?: string;
}

/** A GravixPipeline with defaults applied (as the apiserver stores it). */
export interface GravixPipeline {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: PipelineMetadata;
  spec: PipelineSpec;
  status?: PipelineStatus;
}

export class InvalidPipelineError extends Error {
  readonly code = 'INVALID_PIPELINE';
  constructor(readonly issues: string[]) {
    super(`invalid GravixPipeline: ${issues.join('; ')}`);
  }
}

const metadataSchema = z.object({
  name: z
    .string()
    .min(1)
    .max(MAX_NAME_LENGTH, NAME_RULE.message)
    .regex(new RegExp(NAME_PATTERN), NAME_FORMAT_RULE.message),
  namespace: z.string().min(1).default('default'),
  uid: z.string().optional(),
  generation: z.number().int().optional(),
  resourceVersion: z.string().optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  deletionTimestamp: z.string().optional(),
});

const pipelineSchema = z.object({
  // Every served version has the same fields (docs/adr/0070): an older manifest reads as the current version.
  apiVersion: z.enum(SERVED_API_VERSIONS).transform(() => API_VERSION),
  kind: z.literal(KIND),
  metadata: metadataSchema,
  spec: pipelineSpecSchema.default(pipelineSpecSchema.parse({})),
  status: z.unknown().optional(),
});

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  const path = issue.path.join('.');
  const actual = readPath(value, issue.path);
  const found = actual === undefined ? ' (missing)' : ` (got ${JSON.stringify(actual)})`;
  return `${path || '<root>'}: ${issue.message}${found}`;
}

function readPath(value: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>((at, key) => (at as Record<PropertyKey, unknown> | undefined)?.[key], value);
}

/** Parses an untrusted object into a defaulted GravixPipeline; every issue is reported at once. */
export function parsePipeline(value: unknown): GravixPipeline {
  const result = pipelineSchema.safeParse(value);
  if (!result.success)
    throw new InvalidPipelineError(result.error.issues.map((i) => describeIssue(i, value)));
  return { ...result.data, status: result.data.status as PipelineStatus | undefined } as GravixPipeline;
}
