import fc from 'fast-check';
import {
  viewMarkerKinds,
  viewRangePresets,
  viewSettingsSchema,
  viewSorts,
  viewSteps,
} from '../../../../workers/query/domain/saved-view.js';
import { MARKER_KINDS } from './chart-markers.js';
import {
  buildDashboardSearch,
  DEFAULT_STATE,
  parseDashboardState,
  STEP_CHOICES,
  type DashboardState,
} from './dashboard-state.js';
import { stateFromView, viewFromState } from './saved-view-state.js';
import { RANGE_PRESETS } from './time-range.js';

const state = (patch: Partial<DashboardState>): DashboardState => ({ ...DEFAULT_STATE, ...patch });

describe('saved view <-> dashboard state', () => {
  it('speaks the API words for ranges, bucket sizes, sorts and markers', () => {
    expect([...viewRangePresets]).toEqual([...RANGE_PRESETS]);
    expect([...viewSteps]).toEqual(STEP_CHOICES.map((c) => c.key));
    expect([...viewMarkerKinds]).toEqual([...MARKER_KINDS]);
    for (const sort of viewSorts) expect(parseDashboardState(`?sort=${sort}`).sort).toBe(sort);
  });

  it('saves an endpoint drill-down with its comparison, and leaves out the table page and picked bucket', () => {
    const drill = state({
      service: 'checkout',
      endpoint: { method: 'POST', path: '/api/v1/orders' },
      range: { kind: 'preset', preset: '7d' },
      compare: '7d',
      sort: 'p95',
      step: 3_600_000,
      tz: 'utc',
      page: 3,
      bucket: 1_700_000_000_000,
      hiddenMarkers: ['deploy'],
    });
    expect(viewFromState(drill)).toEqual({
      range: '7d',
      service: 'checkout',
      method: 'POST',
      path: '/api/v1/orders',
      compare: '7d',
      sort: 'p95',
      step: '1h',
      tz: 'utc',
      hide: ['deploy'],
    });
    expect(stateFromView(viewFromState(drill))).toEqual({ ...drill, page: 0, bucket: null });
  });

  it('opens any state it saved as that state, and every saved view passes the API schema', () => {
    const arbitraryState = fc.record({
      service: fc.option(fc.constantFrom('checkout', 'payments', 'a b/ü')),
      endpoint: fc.option(
        fc.record({ method: fc.constantFrom('GET', 'POST'), path: fc.constantFrom('/x', '/api/:id') }),
      ),
      range: fc.oneof(
        fc.record({ kind: fc.constant('preset' as const), preset: fc.constantFrom(...RANGE_PRESETS) }),
        fc
          .tuple(fc.nat(2 ** 40), fc.integer({ min: 60_000, max: 2 ** 36 }))
          .map(([from, span]) => ({ kind: 'custom' as const, from, to: from + span })),
      ),
      compare: fc.option(fc.constantFrom('1d' as const, '7d' as const)),
      sort: fc.constantFrom(...viewSorts),
      step: fc.option(fc.constantFrom(...STEP_CHOICES.map((c) => c.ms))),
      tz: fc.constantFrom('utc' as const, 'local' as const),
      hiddenMarkers: fc.subarray([...MARKER_KINDS]),
    });
    fc.assert(
      fc.property(arbitraryState, (picked) => {
        const s = state({ ...picked, endpoint: picked.service ? picked.endpoint : null });
        const view = viewFromState(s);
        expect(viewSettingsSchema.safeParse(view).success).toBe(true);
        expect(stateFromView(view)).toEqual(s);
        expect(buildDashboardSearch(stateFromView(view))).toBe(buildDashboardSearch(s));
      }),
    );
  });

  it('opens a view that names only a little with the defaults for the rest', () => {
    expect(stateFromView({ service: 'search' })).toEqual(state({ service: 'search' }));
  });
});
