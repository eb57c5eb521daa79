import { z } from 'zod';

/**
 * The one source of truth for tenants: the GravixTenant CRD (crds/gravix-tenant-crd.ts), the tenants file of
 * `gravix dev --tenants tenants.yaml` and `GRAVIX_TENANTS_FILE` (which the operator renders from the CRs into a
 * ConfigMap) are all this schema. Each CEL rule is also a zod refinement with the same message (ADR 0060's rule).
 */

const cel = (rule: string, message: string) => ({ rule, message });

/** The tenant id of raw keys and API keys (workers/domain/raw-record.ts tenantIdPattern), as CEL can match it. */
export const TENANT_ID_PATTERN = '^[a-z0-9][a-z0-9-]{0,62}$';

export const RETENTION_ORDER_RULE = cel(
  '!has(self.rawDays) || !has(self.metricsDays) || self.metricsDays >= self.rawDays',
  'metricsDays must be at least rawDays (metrics are rebuilt from raw data while it is retained)',
);

export const retentionSchema = z
  .object({
    rawDays: z.number().int().min(1).max(3650).optional().describe('days raw facts are kept'),
    metricsDays: z.number().int().min(1).max(3650).optional().describe('days rolled-up metrics are kept'),
  })
  .meta({ 'x-kubernetes-validations': [RETENTION_ORDER_RULE] })
  .refine((r) => r.rawDays === undefined || r.metricsDays === undefined || r.metricsDays >= r.rawDays, {
    message: RETENTION_ORDER_RULE.message,
    path: ['metricsDays'],
  })
  .describe("overrides the pipeline's retention for this tenant");

export const quotasSchema = z
  .object({
    eventsPerSecond: z
      .number()
      .int()
      .min(1)
      .max(10_000_000)
      .optional()
      .describe('facts and events accepted per second across all ingest replicas'),
    bytesPerDay: z
      .number()
      .int()
      .min(1024)
      .max(1e15)
      .optional()
      .describe('request body bytes accepted per UTC day across all ingest replicas'),
    services: z.number().int().min(1).max(100_000).optional().describe('distinct services'),
    routesPerService: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .optional()
      .describe('distinct routes of one service'),
  })
  .describe("unset quotas fall back to the ingest server's limits");

const groupList = z.array(z.string().min(1).max(256)).max(100).default([]);
export const roleGroupsSchema = z
  .object({ viewer: groupList, operator: groupList, admin: groupList })
  .describe('OIDC groups that give each role in this tenant');

const tenantFields = {
  displayName: z.string().min(1).max(128).optional().describe('the name the dashboard shows'),
  retention: retentionSchema.optional(),
  quotas: quotasSchema.default({}),
  roles: roleGroupsSchema.default({ viewer: [], operator: [], admin: [] }),
};

/** The CR's spec: the tenant id is the object's name. */
export const tenantSpecSchema = z.object({
  pipelineRef: z
    .object({ name: z.string().min(1).max(63) })
    .describe('the GravixPipeline whose workers serve this tenant'),
  ...tenantFields,
});

/** One entry of a tenants file. */
export const namedTenantSchema = z.object({
  tenant: z
    .string()
    .regex(new RegExp(TENANT_ID_PATTERN), 'must be 1-63 of a-z 0-9 - starting with a letter or digit'),
  ...tenantFields,
});

export const tenantsFileSchema = z.object({ tenants: z.array(namedTenantSchema).max(10_000) });

/** What the operator says of a tenant (operator/domain/tenant-plan.ts writes it). */
export const tenantStatusSchema = z.object({
  observedGeneration: z.number().int().optional(),
  phase: z
    .enum(['Accepted', 'Rejected'])
    .optional()
    .describe("Accepted: in its pipeline's tenants file; Rejected: not, reason and message say why"),
  reason: z.string().max(128).optional().describe('Published, PipelineNotFound or InvalidSpec'),
  published: z.boolean().optional().describe("whether the tenant is in its pipeline's tenants ConfigMap"),
  message: z.string().max(1024).optional(),
});
export type TenantStatus = z.output<typeof tenantStatusSchema>;

export type TenantSettings = z.output<typeof namedTenantSchema>;
export type TenantSpec = z.output<typeof tenantSpecSchema>;
export type TenantQuotas = z.output<typeof quotasSchema>;
export type TenantRetention = z.output<typeof retentionSchema>;
