import type { ViewSettings } from '../../../../workers/query/domain/saved-view.js';
import { DEFAULT_STATE, STEP_CHOICES, type DashboardState } from './dashboard-state.js';

/**
 * A saved view (`/api/v1/views`, workers/query/domain/saved-view.ts) to and from the page's state. A view keeps what
 * the page shows (range, service, endpoint, compare, sort, bucket size, zone, markers); the table page, a picked
 * bucket and auto-refresh belong to one look at it and are not saved.
 */
export function viewFromState(state: DashboardState): ViewSettings {
  const view: ViewSettings = {};
  if (state.range.kind === 'custom') {
    view.from = state.range.from;
    view.to = state.range.to;
  } else view.range = state.range.preset;
  if (state.service) view.service = state.service;
  if (state.service && state.endpoint) {
    view.method = state.endpoint.method as NonNullable<ViewSettings['method']>;
    view.path = state.endpoint.path;
  }
  if (state.compare) view.compare = state.compare;
  view.sort = state.sort;
  const step = STEP_CHOICES.find((c) => c.ms === state.step);
  if (step) view.step = step.key;
  view.tz = state.tz;
  if (state.hiddenMarkers.length > 0) view.hide = [...state.hiddenMarkers];
  return view;
}

function rangeOf(view: ViewSettings): DashboardState['range'] {
  return view.from !== undefined && view.to !== undefined
    ? { kind: 'custom', from: view.from, to: view.to }
    : { kind: 'preset', preset: view.range ?? '1h' };
}

/** The page's state for a view; what the view leaves out takes the page's default. */
export function stateFromView(view: ViewSettings): DashboardState {
  const { service, method, path } = view;
  return {
    ...DEFAULT_STATE,
    service: service ?? null,
    endpoint: service && method && path ? { method, path } : null,
    range: rangeOf(view),
    compare: view.compare ?? null,
    sort: view.sort ?? DEFAULT_STATE.sort,
    step: STEP_CHOICES.find((c) => c.key === view.step)?.ms ?? null,
    tz: view.tz ?? DEFAULT_STATE.tz,
    hiddenMarkers: [...(view.hide ?? [])],
  };
}
