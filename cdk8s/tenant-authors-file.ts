import { parse, stringify } from 'yaml';
import {
  tenantAuthorsFileSchema,
  type TenantAuthor,
  type TenantAuthorsFile,
  type TenantTombstone,
} from '../workers/domain/tenant-changes.js';

/**
 * The authors file beside the tenants file: written by the operator (tenants-config.ts), read by the query replicas'
 * audit. Apart from tenants-config.ts because that module loads cdk8s and the generated Kubernetes classes (~37 MiB
 * of RSS in a process that imports them), which a worker reading this file never uses (issue #18, docs/adr/0125).
 */
export const TENANT_AUTHORS_FILE = 'tenant-authors.yaml';

/** The authors file; entries in key order, so equal inputs are equal text (no apply when nothing changed). */
export function renderTenantAuthors(
  authors: Readonly<Record<string, TenantAuthor>>,
  deleted: Readonly<Record<string, TenantTombstone>> = {},
): string {
  const sorted = <T>(record: Readonly<Record<string, T>>) =>
    Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
  return stringify({
    tenants: sorted(authors),
    ...(Object.keys(deleted).length > 0 ? { deleted: sorted(deleted) } : {}),
  });
}

/** The authors file's text read back (the query replicas' audit, the operator's next tombstones); throws when bad. */
export function parseTenantAuthors(text: string): TenantAuthorsFile {
  return tenantAuthorsFileSchema.parse(parse(text) ?? {});
}
