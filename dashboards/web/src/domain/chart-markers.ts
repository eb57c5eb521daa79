/** Deploy and incident markers, grouped so a week of deploys does not cover the chart. */

/** `alert`: the alert spans (alert-bands-svg.ts), switched on and off with the event markers. */
export type MarkerKind = 'deploy' | 'incident' | 'other' | 'alert';
export const MARKER_KINDS: readonly MarkerKind[] = ['deploy', 'incident', 'other', 'alert'];

export interface ChartMarker {
  t: number;
  kind: MarkerKind;
  /** Index into the events the chart was built from: the tooltip reads type, version and description there. */
  index: number;
}

export interface MarkerCluster {
  /** SVG x of the cluster (its first marker's). */
  x: number;
  /** Incidents win: a group with one incident must not read as routine deploys. */
  kind: MarkerKind;
  indexes: number[];
}

export function markerKind(type: string): MarkerKind {
  if (type === 'deploy' || type === 'incident') return type;
  return type === 'rollback' ? 'deploy' : 'other';
}

/**
 * Groups markers closer than `gapPx` on screen into one cluster (sorted by time): one line and a count instead of
 * a dozen overlapping lines nobody can hover apart.
 */
export function clusterMarkers(
  markers: readonly ChartMarker[],
  toX: (t: number) => number,
  gapPx = 10,
): MarkerCluster[] {
  const clusters: MarkerCluster[] = [];
  for (const m of [...markers].sort((a, b) => a.t - b.t)) {
    const x = toX(m.t);
    const last = clusters.at(-1);
    if (last && x - last.x < gapPx) {
      last.indexes.push(m.index);
      if (m.kind === 'incident') last.kind = 'incident';
      else if (last.kind === 'other' && m.kind === 'deploy') last.kind = 'deploy';
      continue;
    }
    clusters.push({ x, kind: m.kind, indexes: [m.index] });
  }
  return clusters;
}
