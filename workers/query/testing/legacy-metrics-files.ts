import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { decodeParquet, encodeParquet } from '../../adapters/parquet-codec.js';
import {
  addedLaterColumns,
  buildTableTenantPrefix,
  metricsTableNames,
  metricsTableLayouts,
} from '../../domain/metrics-layout.js';

/**
 * Rewrites a tenant's metrics files as a rollup from before the catalogue's later columns wrote them: the same
 * rows and columns, minus every column marked `addedLater`. `keep` picks the files to rewrite (by key), so a
 * store can hold old and new files side by side, as one does after an upgrade.
 */
export async function rewriteAsLegacyFiles(
  store: ObjectStore,
  tenant: string,
  pick: (key: string) => boolean = () => true,
): Promise<number> {
  let rewritten = 0;
  for (const table of metricsTableNames) {
    const later = new Set(addedLaterColumns(table).map((c) => c.name));
    if (later.size === 0) continue;
    const older = metricsTableLayouts[table].columns.map((c) => c.name).filter((n) => !later.has(n));
    for (const { key } of await store.list(buildTableTenantPrefix(table, tenant))) {
      if (!key.endsWith('.parquet') || !pick(key)) continue;
      const rows = decodeParquet((await store.get(key))!.body);
      // An empty file (the rollup writes the edge tables for partitions without edges) has no row an older
      // reader could miscount, and Arrow cannot re-encode an empty list column (undefined offsets).
      if (rows.numRows === 0) continue;
      await store.put(key, encodeParquet(rows.select(older)));
      rewritten += 1;
    }
  }
  return rewritten;
}
