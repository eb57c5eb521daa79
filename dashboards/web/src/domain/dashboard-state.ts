import type { EndpointsResponse } from '../../../../workers/query/api-types.js';
import { isRangePreset, type TimeRange } from './time-range.js';

export type EndpointSort = EndpointsResponse['sort'];
export type CompareOffset = '1d' | '7d';

/** Everything a bookmark must reproduce; the URL query string is its only persisted form. */
export interface DashboardState {
  service: string | null;
  /** Drill-down: one endpoint of `service`. */
  endpoint: { method: string; path: string } | null;
  range: TimeRange;
  compare: CompareOffset | null;
  sort: EndpointSort;
  autoRefresh: boolean;
}

export const DEFAULT_STATE: DashboardState = {
  service: null,
  endpoint: null,
  range: { kind: 'preset', preset: '1h' },
  compare: null,
  sort: 'errors',
  autoRefresh: true,
};

const SORTS: readonly EndpointSort[] = ['errors', 'error_rate', 'p95', 'requests'];

/**
 * Reads state from an untrusted query string (hand-edited bookmarks included): anything invalid falls back
 * to its default instead of failing, because a half-right bookmark should still open the dashboard.
 */
export function parseDashboardState(search: string): DashboardState {
  const q = new URLSearchParams(search);
  const service = nonEmpty(q.get('service'));
  const method = nonEmpty(q.get('method'));
  const path = nonEmpty(q.get('path'));
  const compare = q.get('compare');
  const sort = q.get('sort') as EndpointSort | null;
  return {
    service,
    endpoint: service && method && path ? { method: method.toUpperCase(), path } : null,
    range: parseRange(q),
    compare: compare === '1d' || compare === '7d' ? compare : null,
    sort: sort && SORTS.includes(sort) ? sort : DEFAULT_STATE.sort,
    autoRefresh: q.get('refresh') !== 'off',
  };
}

/** The inverse of parseDashboardState; defaults are left out so shared links stay short. */
export function buildDashboardSearch(state: DashboardState): string {
  const q = new URLSearchParams();
  if (state.service) q.set('service', state.service);
  if (state.service && state.endpoint) {
    q.set('method', state.endpoint.method);
    q.set('path', state.endpoint.path);
  }
  if (state.range.kind === 'custom') {
    q.set('from', new Date(state.range.from).toISOString());
    q.set('to', new Date(state.range.to).toISOString());
  } else if (state.range.preset !== '1h') {
    q.set('range', state.range.preset);
  }
  if (state.compare) q.set('compare', state.compare);
  if (state.sort !== DEFAULT_STATE.sort) q.set('sort', state.sort);
  if (!state.autoRefresh) q.set('refresh', 'off');
  const text = q.toString();
  return text ? `?${text}` : '';
}

function parseRange(q: URLSearchParams): TimeRange {
  const from = parseInstant(q.get('from'));
  const to = parseInstant(q.get('to'));
  if (from !== null && to !== null && from < to) return { kind: 'custom', from, to };
  const preset = q.get('range') ?? '';
  return isRangePreset(preset) ? { kind: 'preset', preset } : DEFAULT_STATE.range;
}

/** Accepts epoch ms (what the API speaks) or an ISO 8601 date (what people type into URLs). */
export function parseInstant(value: string | null): number | null {
  if (!value) return null;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

function nonEmpty(value: string | null): string | null {
  return value && value.trim() !== '' ? value : null;
}
