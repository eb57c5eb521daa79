import { createHash } from 'node:crypto';

/** What the storage-version migration reads of a CustomResourceDefinition. */
export interface CrdVersions {
  spec?: { group?: string; names?: { kind?: string }; versions?: { name: string; storage?: boolean }[] };
  status?: { storedVersions?: string[] };
}

/** The version new writes are stored in; a CRD has exactly one. */
export function storageVersion(crd: CrdVersions): string | undefined {
  return crd.spec?.versions?.find((v) => v.storage)?.name;
}

/**
 * Versions etcd may still hold objects in, besides the storage version: what a migration must rewrite before they
 * can leave `status.storedVersions` (and before a later release may stop serving them).
 */
export function staleStoredVersions(crd: CrdVersions): string[] {
  const storage = storageVersion(crd);
  return (crd.status?.storedVersions ?? []).filter((v) => v !== storage);
}

/**
 * The `storageVersionHash` discovery publishes for a resource: apimachinery's StorageVersionHash, the first 8
 * bytes of sha256("group/version/kind") in base64. Discovery moving to the new hash is the signal the upstream
 * storage-version migrator waits for before rewriting objects.
 */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256')
    .update(`${group}/${version}/${kind}`)
    .digest()
    .subarray(0, 8)
    .toString('base64');
}
