import type { ChartSeries } from '../domain/line-chart-svg.js';
import { createElement } from './require-element.js';
import { readPreference, writePreference } from './stored-preference.js';

const KEY = 'gravix.hiddenSeries';

/**
 * Which chart series the user switched off (the latency chart's max can dwarf p50, p99.9 can crowd p95). The
 * legend entries are the switches (buttons with aria-pressed); the choice is kept in this browser per chart and
 * series name, so it survives reloads and other services.
 */
export class SeriesToggles {
  private readonly hidden: Set<string>;

  constructor(private readonly onChange: () => void) {
    this.hidden = new Set(parseHidden(readPreference(KEY)));
  }

  visible(chart: string, series: readonly ChartSeries[]): ChartSeries[] {
    return series.filter((s) => !this.hidden.has(`${chart}:${s.name}`));
  }

  /** A legend entry that switches `series` of `chart` on and off. */
  legendItem(chart: string, series: Pick<ChartSeries, 'name' | 'variant'>): HTMLLIElement {
    const key = `${chart}:${series.name}`;
    const shown = !this.hidden.has(key);
    const item = createElement('li', undefined, `swatch-${series.variant}${shown ? '' : ' series-off'}`);
    const button = createElement('button', series.name, 'series-toggle');
    button.type = 'button';
    button.setAttribute('aria-pressed', String(shown));
    button.title = shown ? `Hide ${series.name}` : `Show ${series.name}`;
    button.addEventListener('click', () => {
      if (this.hidden.has(key)) this.hidden.delete(key);
      else this.hidden.add(key);
      writePreference(KEY, JSON.stringify([...this.hidden]));
      this.onChange();
    });
    item.append(button);
    return item;
  }
}

function parseHidden(raw: string | null): string[] {
  try {
    const value: unknown = JSON.parse(raw ?? '[]');
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}
