import type { CompareOffset, DashboardState, EndpointSort } from '../domain/dashboard-state.js';
import { PRESET_LABELS, RANGE_PRESETS, isRangePreset, resolveRange } from '../domain/time-range.js';
import { fromDatetimeLocalValue, toDatetimeLocalValue } from './datetime-local.js';
import { requireElement } from './require-element.js';

export interface FilterHandlers {
  onChange(patch: Partial<DashboardState>): void;
  onRefresh(): void;
}

const CUSTOM = 'custom';

/** The filter bar: service, time range (presets and custom), comparison, sort, auto-refresh. */
export class FiltersView {
  private readonly service = requireElement('service-filter', HTMLSelectElement);
  private readonly range = requireElement('range-select', HTMLSelectElement);
  private readonly custom = requireElement('custom-range', HTMLFieldSetElement);
  private readonly from = requireElement('range-from', HTMLInputElement);
  private readonly to = requireElement('range-to', HTMLInputElement);
  private readonly rangeError = requireElement('range-error', HTMLParagraphElement);
  private readonly compare = requireElement('compare-select', HTMLSelectElement);
  private readonly sort = requireElement('sort-select', HTMLSelectElement);
  private readonly autoRefresh = requireElement('auto-refresh', HTMLInputElement);

  constructor(private readonly handlers: FilterHandlers) {
    for (const preset of RANGE_PRESETS) this.range.add(new Option(PRESET_LABELS[preset], preset));
    this.range.add(new Option('Custom range…', CUSTOM));
    this.bind();
  }

  /** Reflects state into the controls; `services` are the ones with data in the range. */
  render(state: DashboardState, services: string[]): void {
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
    this.compare.value = state.compare ?? '';
    this.sort.value = state.sort;
    this.autoRefresh.checked = state.autoRefresh;
  }

  private bind(): void {
    const { onChange, onRefresh } = this.handlers;
    this.service.addEventListener('change', () =>
      onChange({ service: this.service.value || null, endpoint: null }),
    );
    this.range.addEventListener('change', () => this.onRangeSelected());
    requireElement('range-apply', HTMLButtonElement).addEventListener('click', () => this.applyCustomRange());
    this.compare.addEventListener('change', () =>
      onChange({ compare: (this.compare.value || null) as CompareOffset | null }),
    );
    this.sort.addEventListener('change', () => onChange({ sort: this.sort.value as EndpointSort }));
    this.autoRefresh.addEventListener('change', () => onChange({ autoRefresh: this.autoRefresh.checked }));
    requireElement('refresh-now', HTMLButtonElement).addEventListener('click', onRefresh);
  }

  private onRangeSelected(): void {
    const value = this.range.value;
    if (isRangePreset(value)) {
      delete this.custom.dataset['open'];
      this.handlers.onChange({ range: { kind: 'preset', preset: value } });
      return;
    }
    // Custom: open the from/to inputs prefilled with the last hour; nothing reloads until Apply.
    const now = Date.now();
    const { from, to } = resolveRange({ kind: 'preset', preset: '1h' }, now);
    this.from.value ||= toDatetimeLocalValue(from);
    this.to.value ||= toDatetimeLocalValue(to);
    this.custom.dataset['open'] = 'true';
    this.custom.hidden = false;
    this.from.focus();
  }

  private applyCustomRange(): void {
    const from = fromDatetimeLocalValue(this.from.value);
    const to = fromDatetimeLocalValue(this.to.value);
    if (from === null || to === null) {
      this.rangeError.textContent = 'Enter both a start and an end.';
      return;
    }
    if (from >= to) {
      this.rangeError.textContent = 'The start must be before the end.';
      return;
    }
    this.rangeError.textContent = '';
    this.handlers.onChange({ range: { kind: 'custom', from, to } });
  }

  /** Fills the custom inputs from a bookmarked custom range. */
  showCustomRange(from: number, to: number): void {
    this.from.value = toDatetimeLocalValue(from);
    this.to.value = toDatetimeLocalValue(to);
  }
}
