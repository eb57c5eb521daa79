import { MARKER_KINDS, type MarkerKind } from '../domain/chart-markers.js';
import {
  STEP_CHOICES,
  type CompareOffset,
  type DashboardState,
  type EndpointSort,
} from '../domain/dashboard-state.js';
import { fromDateTimeFields, toDateTimeFields, zoneLabel } from '../domain/date-time-fields.js';
import {
  PRESET_LABELS,
  RANGE_PRESETS,
  isRangePreset,
  rangeEndsNow,
  resolveRange,
} from '../domain/time-range.js';
import { requireElement } from './require-element.js';

export interface FilterHandlers {
  onChange(patch: Partial<DashboardState>): void;
  onRefresh(): void;
}

const CUSTOM = 'custom';
const AUTO = '';
/** The API's point cap (docs/query-api.md): a finer step is replaced by its own choice. */
const MAX_POINTS = 360;

/** The filter bar: service, time range (presets and custom), bucket size, comparison, zone, markers, refresh. */
export class FiltersView {
  private readonly service = requireElement('service-filter', HTMLSelectElement);
  private readonly range = requireElement('range-select', HTMLSelectElement);
  private readonly custom = requireElement('custom-range', HTMLFieldSetElement);
  private readonly legend = requireElement('custom-range-legend', HTMLElement);
  private readonly fromDate = requireElement('range-from-date', HTMLInputElement);
  private readonly fromTime = requireElement('range-from-time', HTMLInputElement);
  private readonly toDate = requireElement('range-to-date', HTMLInputElement);
  private readonly toTime = requireElement('range-to-time', HTMLInputElement);
  private readonly rangeError = requireElement('range-error', HTMLParagraphElement);
  private readonly step = requireElement('step-select', HTMLSelectElement);
  private readonly compare = requireElement('compare-select', HTMLSelectElement);
  private readonly sort = requireElement('sort-select', HTMLSelectElement);
  private readonly tz = requireElement('tz-select', HTMLSelectElement);
  private readonly tzLabel = requireElement('tz-label', HTMLParagraphElement);
  private readonly autoRefresh = requireElement('auto-refresh', HTMLInputElement);
  private readonly autoRefreshLabel = requireElement('auto-refresh-label', HTMLLabelElement);
  private readonly markers = MARKER_KINDS.map(
    (k) => [k, requireElement(`marker-${k}`, HTMLInputElement)] as const,
  );
  private state: DashboardState | null = null;

  constructor(private readonly handlers: FilterHandlers) {
    for (const preset of RANGE_PRESETS) this.range.add(new Option(PRESET_LABELS[preset], preset));
    this.range.add(new Option('Custom range…', CUSTOM));
    this.step.add(new Option('Auto', AUTO));
    for (const c of STEP_CHOICES) this.step.add(new Option(c.label, String(c.ms)));
    this.bind();
  }

  /** Reflects state into the controls; `services` are every service seen lately, not only those in the range. */
  render(state: DashboardState, services: string[], now: number): void {
    this.state = state;
    const names =
      state.service && !services.includes(state.service) ? [state.service, ...services] : services;
    const wanted = ['', ...names];
    const current = [...this.service.options].map((o) => o.value);
    if (wanted.join('\n') !== current.join('\n')) {
      this.service.replaceChildren(new Option('All services', ''), ...names.map((n) => new Option(n, n)));
    }
    this.service.value = state.service ?? '';
    this.range.value = state.range.kind === 'custom' ? CUSTOM : state.range.preset;
    this.custom.hidden = state.range.kind !== 'custom' && !this.custom.dataset['open'];
    this.legend.textContent = `Custom range (${state.tz === 'utc' ? 'UTC' : 'local time'}, 24-hour)`;
    this.renderSteps(state, now);
    this.compare.value = state.compare ?? '';
    this.sort.value = state.sort;
    this.tz.value = state.tz;
    this.tzLabel.textContent = zoneLabel(state.tz, Intl.DateTimeFormat().resolvedOptions().timeZone);
    for (const [kind, box] of this.markers) box.checked = !state.hiddenMarkers.includes(kind);
    this.renderAutoRefresh(state, now);
  }

  /** Bucket sizes that would give more points than the API draws (360) are not offered for the range. */
  private renderSteps(state: DashboardState, now: number): void {
    const { from, to } = resolveRange(state.range, now);
    for (const option of this.step.options) {
      option.disabled = option.value !== AUTO && (to - from) / Number(option.value) > MAX_POINTS;
    }
    this.step.value = state.step === null ? AUTO : String(state.step);
  }

  /** A fixed past range never changes: the checkbox is off and says why. */
  private renderAutoRefresh(state: DashboardState, now: number): void {
    const live = rangeEndsNow(state.range, now);
    this.autoRefresh.disabled = !live;
    this.autoRefresh.checked = live && state.autoRefresh;
    this.autoRefreshLabel.textContent = live
      ? 'Auto-refresh every 30 s'
      : 'Auto-refresh (only for ranges ending now)';
  }

  private bind(): void {
    const { onChange, onRefresh } = this.handlers;
    this.service.addEventListener('change', () =>
      onChange({ service: this.service.value || null, endpoint: null, page: 0 }),
    );
    this.range.addEventListener('change', () => this.onRangeSelected());
    requireElement('range-apply', HTMLButtonElement).addEventListener('click', () => this.applyCustomRange());
    this.step.addEventListener('change', () =>
      onChange({ step: this.step.value ? Number(this.step.value) : null }),
    );
    this.compare.addEventListener('change', () =>
      onChange({ compare: (this.compare.value || null) as CompareOffset | null }),
    );
    this.sort.addEventListener('change', () => onChange({ sort: this.sort.value as EndpointSort, page: 0 }));
    this.tz.addEventListener('change', () => onChange({ tz: this.tz.value === 'utc' ? 'utc' : 'local' }));
    for (const [, box] of this.markers)
      box.addEventListener('change', () => onChange({ hiddenMarkers: this.hidden() }));
    this.autoRefresh.addEventListener('change', () => onChange({ autoRefresh: this.autoRefresh.checked }));
    requireElement('refresh-now', HTMLButtonElement).addEventListener('click', onRefresh);
  }

  private hidden(): MarkerKind[] {
    return this.markers.filter(([, box]) => !box.checked).map(([kind]) => kind);
  }

  private onRangeSelected(): void {
    const value = this.range.value;
    if (isRangePreset(value)) {
      delete this.custom.dataset['open'];
      this.handlers.onChange({ range: { kind: 'preset', preset: value }, page: 0 });
      return;
    }
    // Custom: open the inputs prefilled with the range on screen; nothing reloads until Apply.
    const state = this.state;
    const { from, to } = resolveRange(state?.range ?? { kind: 'preset', preset: '1h' }, Date.now());
    if (!this.fromDate.value) this.showCustomRange(from, to);
    this.custom.dataset['open'] = 'true';
    this.custom.hidden = false;
    this.fromDate.focus();
  }

  private applyCustomRange(): void {
    const zone = this.state?.tz ?? 'local';
    const from = fromDateTimeFields({ date: this.fromDate.value, time: this.fromTime.value }, zone);
    const to = fromDateTimeFields({ date: this.toDate.value, time: this.toTime.value }, zone);
    if (from === null || to === null) {
      this.rangeError.textContent = 'Enter a start and an end: a date and a 24-hour time (HH:MM).';
      return;
    }
    if (from >= to) {
      this.rangeError.textContent = 'The start must be before the end.';
      return;
    }
    this.rangeError.textContent = '';
    this.handlers.onChange({ range: { kind: 'custom', from, to }, page: 0 });
  }

  /** Fills the custom inputs from a range (a bookmark, or the one on screen), in the zone the page shows. */
  showCustomRange(from: number, to: number): void {
    const zone = this.state?.tz ?? 'local';
    const [f, t] = [toDateTimeFields(from, zone), toDateTimeFields(to, zone)];
    [this.fromDate.value, this.fromTime.value] = [f.date, f.time];
    [this.toDate.value, this.toTime.value] = [t.date, t.time];
  }
}
