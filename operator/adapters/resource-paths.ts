import { registeredKind } from '../domain/kind-registry.js';

export { UnknownKindError } from '../domain/kind-registry.js';

export interface ResourceRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name?: string;
}

/**
 * `/api/v1/namespaces/ns/configmaps/name` style path for an object, or its collection without a name. Plurals
 * come from the kind registry (no discovery round trip per pass); a kind it lacks throws UnknownKindError.
 */
export function resourcePath(ref: ResourceRef): string {
  const { plural } = registeredKind(ref.apiVersion, ref.kind);
  const base = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
  const ns = ref.namespace ? `/namespaces/${ref.namespace}` : '';
  return `${base}${ns}/${plural}${ref.name ? `/${encodeURIComponent(ref.name)}` : ''}`;
}
