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

/**
 * The resource a request path names, for the request counter's `resource` label (a few dozen values, never a
 * name): `/api/v1/namespaces/ns/pods` -> `pods`, `.../gravixpipelines/p/status` -> `gravixpipelines/status`,
 * `/apis/coordination.k8s.io/v1/namespaces/ns/leases/x` -> `leases`, a group version itself -> `discovery`.
 */
export function resourceOfPath(path: string): string {
  const parts = path.split('?')[0]!.split('/').filter(Boolean);
  // api/v1 or apis/<group>/<version>, then optionally namespaces/<ns>, then <plural>[/<name>[/<subresource>]].
  let rest = parts[0] === 'api' ? parts.slice(2) : parts.slice(3);
  if (rest[0] === 'namespaces' && rest.length > 2) rest = rest.slice(2);
  if (rest.length === 0) return 'discovery';
  return rest.length >= 3 ? `${rest[0]}/${rest[2]}` : rest[0]!;
}
