import type { StorageClassPort } from '../controller/ports.js';
import type { ExpansionAnswer } from '../domain/claim-growth.js';
import type { KubeClient } from './kube-client.js';
import { isNotFound, KubeApiError } from './kube-errors.js';

/**
 * Reads a StorageClass's `allowVolumeExpansion` (docs/adr/0105). StorageClasses are cluster-scoped: the chart grants
 * the read only with cluster-wide RBAC or `rbac.clusterReads`, so a 403 is an ordinary answer here ("cannot tell"),
 * not a failure. Asked only while a claim is to grow, so a steady pipeline sends no such request.
 */
export class KubeStorageClasses implements StorageClassPort {
  constructor(private readonly client: KubeClient) {}

  async expansion(name: string): Promise<ExpansionAnswer> {
    try {
      const storageClass = await this.client.request<{ allowVolumeExpansion?: boolean }>({
        method: 'GET',
        path: `/apis/storage.k8s.io/v1/storageclasses/${encodeURIComponent(name)}`,
      });
      return {
        readable: true,
        exists: true,
        allowVolumeExpansion: storageClass.allowVolumeExpansion === true,
      };
    } catch (error) {
      if (isNotFound(error)) return { readable: true, exists: false, allowVolumeExpansion: false };
      if (error instanceof KubeApiError && error.status === 403) return { readable: false };
      throw error;
    }
  }
}
