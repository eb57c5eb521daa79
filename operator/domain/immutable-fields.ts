import type { Manifest } from '../../cdk8s/pipeline-chart.js';
import type { KubeObject } from '../adapters/kube-client.js';
import { claimTemplateGrowth } from './claim-growth.js';

type StatefulSetSpec = { serviceName?: string };

/**
 * A change the apiserver refuses on a live object, which only a delete and create can make: a StatefulSet's
 * governing Service (it became headless, docs/adr/0067) or a larger claim template (storage.minio.size,
 * ingestion.wal.size; docs/adr/0105). The operator deletes such a StatefulSet orphaning its pods and claims, and
 * the next pass creates it anew; the new one adopts the running pods (and rolls them only if their template changed
 * too). Returns the field, or undefined when the object can be applied in place.
 */
export function recreateReason(desired: Manifest, live: KubeObject | undefined): string | undefined {
  if (desired.kind !== 'StatefulSet' || !live) return undefined;
  const want = (desired.spec as StatefulSetSpec | undefined)?.serviceName;
  const have = (live.spec as StatefulSetSpec | undefined)?.serviceName;
  if (have !== undefined && want !== have) return `spec.serviceName ${have} -> ${want}`;
  const grown = claimTemplateGrowth(desired, live);
  return grown.length > 0 ? `spec.volumeClaimTemplates ${grown.join(', ')}` : undefined;
}

export const isDeleting = (live: KubeObject | undefined): boolean =>
  (live?.metadata as { deletionTimestamp?: string } | undefined)?.deletionTimestamp !== undefined;
