import type { ServiceMapResponse } from '../../../../workers/query/api-types.js';
import { escapeMarkup } from './escape-markup.js';
import { formatCount, formatLatency, formatPercent } from './format.js';

type Edge = ServiceMapResponse['edges'][number];

/** Error-rate bands an edge is coloured by (the legend's three entries, docs/dashboard.md). */
export const errorBands = [
  { band: 'ok', label: 'under 1% errors', below: 0.01 },
  { band: 'warn', label: '1% to 5% errors', below: 0.05 },
  { band: 'bad', label: '5% errors or more', below: Infinity },
] as const;
export type ErrorBand = (typeof errorBands)[number]['band'];

export function errorBandOf(errorRate: number): ErrorBand {
  return errorBands.find((b) => errorRate < b.below)!.band;
}

export interface PlacedNode {
  service: string;
  layer: number;
  row: number;
  x: number;
  y: number;
}

export interface ServiceMapLayout {
  nodes: Map<string, PlacedNode>;
  width: number;
  height: number;
}

const box = { width: 150, height: 34, columnGap: 90, rowGap: 26, pad: 16 };

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Layers by the longest path from the callers nobody calls (a call graph is nearly a DAG; an edge that closes a
 * cycle is drawn backwards and does not push its callee right). Bounded by the number of nodes, so a cycle ends.
 */
function assignLayers(names: readonly string[], edges: readonly Edge[]): Map<string, number> {
  const layer = new Map(names.map((n) => [n, 0]));
  for (let pass = 0; pass < names.length; pass++) {
    let moved = false;
    for (const e of edges) {
      const next = layer.get(e.caller)! + 1;
      if (e.caller !== e.callee && next > layer.get(e.callee)! && next < names.length) {
        layer.set(e.callee, next);
        moved = true;
      }
    }
    if (!moved) break;
  }
  return layer;
}

/**
 * A readable layered layout: callers left of callees, one column per layer, each column ordered by the mean row
 * of its callers (fewer crossings), then by name, so the same map always looks the same.
 */
export function layoutServiceMap(map: Pick<ServiceMapResponse, 'nodes' | 'edges'>): ServiceMapLayout {
  const names = map.nodes.map((n) => n.service).sort(byName);
  const layers = assignLayers(names, map.edges);
  const columns: string[][] = [];
  for (const name of names) (columns[layers.get(name)!] ??= []).push(name);
  const rowOf = new Map<string, number>();
  for (const column of columns) {
    if (!column) continue;
    const weight = (name: string) => {
      const rows = map.edges
        .filter((e) => e.callee === name && rowOf.has(e.caller))
        .map((e) => rowOf.get(e.caller)!);
      return rows.length === 0 ? Infinity : rows.reduce((a, b) => a + b, 0) / rows.length;
    };
    column.sort((a, b) => weight(a) - weight(b) || byName(a, b));
    column.forEach((name, row) => rowOf.set(name, row));
  }
  const nodes = new Map<string, PlacedNode>();
  for (const name of names) {
    const layer = layers.get(name)!;
    const row = rowOf.get(name)!;
    const x = box.pad + layer * (box.width + box.columnGap);
    const y = box.pad + row * (box.height + box.rowGap);
    nodes.set(name, { service: name, layer, row, x, y });
  }
  const tallest = Math.max(0, ...columns.map((c) => c?.length ?? 0));
  return {
    nodes,
    width: box.pad * 2 + Math.max(1, columns.length) * (box.width + box.columnGap) - box.columnGap,
    height: box.pad * 2 + tallest * (box.height + box.rowGap) - box.rowGap,
  };
}

/** Text that fits a node's box: long names are cut with an ellipsis (the full name is in its <title>). */
function fitLabel(name: string): string {
  const chars = [...name];
  return chars.length <= 20 ? name : `${chars.slice(0, 19).join('')}…`;
}

/** What a screen reader and the hover title say about an edge. */
export function describeEdge(e: Edge): string {
  return (
    `${e.caller} calls ${e.callee}: ${formatCount(e.requests)} requests, ${formatPercent(e.errorRate)} errors, ` +
    `p50 ${formatLatency(e.p50)}, p95 ${formatLatency(e.p95)}, p99 ${formatLatency(e.p99)}`
  );
}

function edgePath(from: PlacedNode, to: PlacedNode): string {
  const [x1, y1] = [from.x + box.width, from.y + box.height / 2];
  const [x2, y2] = [to.x, to.y + box.height / 2];
  if (to.layer > from.layer) {
    const mid = (x1 + x2) / 2;
    return `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`;
  }
  // A call to the same or an earlier column (a cycle, or a service calling itself) loops below the boxes.
  const below = Math.max(from.y, to.y) + box.height + box.rowGap * 0.8;
  return `M${x1},${y1} C${x1 + 60},${below} ${x2 - 60},${below} ${x2},${y2}`;
}

function nodeSvg(n: PlacedNode, server: ServiceMapResponse['nodes'][number]['server']): string {
  const name = escapeMarkup(n.service);
  const detail = server
    ? `${formatCount(server.requests)} requests served, ${formatPercent(server.errorRate)} errors, p95 ${formatLatency(server.p95)}`
    : 'no requests of its own in this range';
  return [
    `<g class="sm-node${server ? '' : ' sm-external'}" data-service="${name}" transform="translate(${n.x},${n.y})">`,
    `<title>${name}: ${escapeMarkup(detail)}</title>`,
    `<rect width="${box.width}" height="${box.height}" rx="6"></rect>`,
    `<text x="${box.width / 2}" y="${box.height / 2 + 4}" text-anchor="middle">${escapeMarkup(fitLabel(n.service))}</text>`,
    '</g>',
  ].join('');
}

/**
 * The map as SVG markup: boxes for services, a curve per edge coloured by its error-rate band, its width by its
 * share of the busiest edge's requests. Every edge is a focusable button (Tab, Enter) named by describeEdge.
 */
export function buildServiceMapSvg(map: Pick<ServiceMapResponse, 'nodes' | 'edges'>): string {
  const layout = layoutServiceMap(map);
  const busiest = Math.max(1, ...map.edges.map((e) => e.requests));
  const edges = map.edges.map((e) => {
    const [from, to] = [layout.nodes.get(e.caller)!, layout.nodes.get(e.callee)!];
    const width = (1.5 + 4.5 * Math.sqrt(e.requests / busiest)).toFixed(1);
    const label = escapeMarkup(describeEdge(e));
    return [
      `<g class="sm-edge sm-${errorBandOf(e.errorRate)}" tabindex="0" role="button" aria-label="${label}"`,
      ` data-caller="${escapeMarkup(e.caller)}" data-callee="${escapeMarkup(e.callee)}">`,
      `<title>${label}</title>`,
      `<path class="sm-hit" d="${edgePath(from, to)}"></path>`,
      `<path class="sm-line" d="${edgePath(from, to)}" stroke-width="${width}" marker-end="url(#sm-arrow)"></path>`,
      '</g>',
    ].join('');
  });
  const nodes = map.nodes.map((n) => nodeSvg(layout.nodes.get(n.service)!, n.server));
  const height = layout.height + box.rowGap * 2;
  return [
    `<svg class="service-map-svg" xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${height}"`,
    ` viewBox="0 0 ${layout.width} ${height}" role="group" aria-label="Service map: ${map.nodes.length} services, ${map.edges.length} calls">`,
    '<defs><marker id="sm-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto-start-reverse">',
    '<path d="M0,0 L10,5 L0,10 z" class="sm-arrow"></path></marker></defs>',
    ...edges,
    ...nodes,
    '</svg>',
  ].join('');
}
