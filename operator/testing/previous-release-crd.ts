import { buildPipelineCrd, DEPRECATED_VERSIONS } from '../../crds/gravix-pipeline-crd.js';

type Version = { name: string; storage: boolean; deprecated?: boolean; deprecationWarning?: string };

/**
 * The CRD the release before docs/adr/0070 installed: v1alpha1 only, stored as v1alpha1. Its schema is today's
 * (the versions share one), which is what the upgrade test needs: objects stored in the old version.
 */
export function previousReleaseCrd(): Record<string, unknown> {
  const crd = buildPipelineCrd() as { spec: { versions: Version[]; conversion?: unknown } };
  const [old] = DEPRECATED_VERSIONS;
  const versions = crd.spec.versions
    .filter((v) => v.name === old)
    .map(({ deprecated: _d, deprecationWarning: _w, ...v }) => ({ ...v, storage: true }));
  const { conversion: _c, ...spec } = crd.spec;
  return { ...crd, spec: { ...spec, versions } };
}

/** Today's CRD with another served version as the storage version (both versions stay served). */
export function crdStoringIn(version: string): Record<string, unknown> {
  const crd = buildPipelineCrd() as { spec: { versions: Version[] } };
  const versions = crd.spec.versions.map((v) => ({ ...v, storage: v.name === version }));
  return { ...crd, spec: { ...crd.spec, versions } };
}
