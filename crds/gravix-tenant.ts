import { parse as parseYaml, stringify } from 'yaml';
import { z } from 'zod';
import { TENANT_API_VERSION, TENANT_KIND } from './gravix-tenant-crd.js';
import {
  tenantSpecSchema,
  tenantsFileSchema,
  type TenantSettings,
  type TenantSpec,
} from './gravix-tenant-spec.js';

/** Any tenant source (file, CR) that fails the schema; every issue at once, each naming field and value. */
export class InvalidTenantError extends Error {
  readonly code = 'INVALID_TENANT';
  constructor(readonly issues: string[]) {
    super(`invalid tenant: ${issues.join('; ')}`);
  }
}

function readPath(value: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>((at, key) => (at as Record<PropertyKey, unknown> | undefined)?.[key], value);
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, prefix: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InvalidTenantError(
    result.error.issues.map((issue) => {
      const actual = readPath(value, issue.path);
      const found = actual === undefined ? ' (missing)' : ` (got ${JSON.stringify(actual)?.slice(0, 80)})`;
      return `${prefix}${issue.path.join('.') || '<root>'}: ${issue.message}${found}`;
    }),
  );
}

/** A tenants file (YAML or JSON) `tenants: [...]`; tenant ids must be unique. */
export function parseTenantsFile(text: string, source: string): TenantSettings[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new InvalidTenantError([`${source}: not YAML: ${(error as Error).message}`]);
  }
  const { tenants } = parseWith(tenantsFileSchema, doc, `${source}: `);
  const seen = new Set<string>();
  const duplicates = tenants.filter((t) => seen.size === seen.add(t.tenant).size).map((t) => t.tenant);
  if (duplicates.length > 0)
    throw new InvalidTenantError(duplicates.map((t) => `${source}: tenants: tenant '${t}' appears twice`));
  return tenants;
}

const tenantObjectSchema = z.object({
  apiVersion: z.literal(TENANT_API_VERSION),
  kind: z.literal(TENANT_KIND),
  metadata: z.object({ name: z.string().min(1).max(63), namespace: z.string().min(1).default('default') }),
  spec: tenantSpecSchema,
});

/** A GravixTenant as the apiserver returns it, turned into the settings the workers read. */
export function parseTenantObject(value: unknown): {
  settings: TenantSettings;
  spec: TenantSpec;
  namespace: string;
} {
  const object = parseWith(tenantObjectSchema, value, '');
  const { pipelineRef: _pipelineRef, ...fields } = object.spec;
  return {
    settings: { tenant: object.metadata.name, ...fields },
    spec: object.spec,
    namespace: object.metadata.namespace,
  };
}

/** The tenants file the operator writes into a pipeline's ConfigMap; ordered by tenant so equal sets are equal text. */
export function renderTenantsFile(tenants: readonly TenantSettings[]): string {
  const sorted = [...tenants].sort((a, b) => (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : 0));
  return stringify({ tenants: sorted });
}
