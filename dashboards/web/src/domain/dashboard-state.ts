import type { EndpointsResponse } from '../../../../workers/query/api-types.js';
import { MARKER_KINDS, type MarkerKind } from './chart-markers.js';
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
  /** Bucket size chosen by the user; null lets the range choose. */
  step: number | null;
  /** Times are shown in UTC or in the browser's zone. */
  tz: 'local' | 'utc';
  /** Endpoint table page, 0-based. */
  page: number;
  /** Marker types switched off. */
  hiddenMarkers: MarkerKind[];
  /** Start of the bucket picked on a chart: the endpoint table shows that bucket only. */
  bucket: number | null;
}

/** Bucket sizes offered besides "auto", with their URL spelling. */
export const STEP_CHOICES = [
  { ms: 60_000, key: '1m', label: '1 minute' },
  { ms: 5 * 60_000, key: '5m', label: '5 minutes' },
  { ms: 15 * 60_000, key: '15m', label: '15 minutes' },
  { ms: 3_600_000, key: '1h', label: '1 hour' },
] as const;

export const DEFAULT_STATE: DashboardState = {
  service: null,
  endpoint: null,
  range: { kind: 'preset', preset: '1h' },
  compare: null,
  sort: 'errors',
  autoRefresh: true,
  step: null,
  tz: 'local',
  page: 0,
  hiddenMarkers: [],
  bucket: null,
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
    step: STEP_CHOICES.find((c) => c.key === q.get('step'))?.ms ?? null,
    tz: q.get('tz') === 'utc' ? 'utc' : 'local',
    page: parsePage(q.get('page')),
    hiddenMarkers: MARKER_KINDS.filter((k) => (q.get('hide') ?? '').split(',').includes(k)),
    bucket: parseInstant(q.get('bucket')),
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
  setViewParams(q, state);
  const text = q.toString();
  return text ? `?${text}` : '';
}

/** How the page shows things (bucket size, zone, table page, markers), after what it shows. */
function setViewParams(q: URLSearchParams, state: DashboardState): void {
  const step = STEP_CHOICES.find((c) => c.ms === state.step);
  if (step) q.set('step', step.key);
  if (state.tz === 'utc') q.set('tz', 'utc');
  if (state.page > 0) q.set('page', String(state.page + 1));
  if (state.hiddenMarkers.length > 0) q.set('hide', state.hiddenMarkers.join(','));
  if (state.bucket !== null) q.set('bucket', new Date(state.bucket).toISOString());
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

/** `page` is 1-based in the URL (what people read), 0-based in the state. */
function parsePage(value: string | null): number {
  const n = value && /^\d{1,6}$/.test(value) ? Number(value) : 1;
  return Math.max(0, n - 1);
}

function nonEmpty(value: string | null): string | null {
  return value && value.trim() !== '' ? value : null;
}
