import { bannerHeading, type BannerItem } from '../domain/alert-summary.js';
import { createElement, requireElement } from './require-element.js';

/**
 * The banner on every page while any alert fires: one link per firing series to its charts (where the alert's
 * span is drawn), and the way to the alerts page. Gone as soon as nothing fires (or alerting is not served).
 */
export class AlertBannerView {
  private readonly banner = requireElement('alert-banner', HTMLElement);
  private readonly heading = requireElement('alert-banner-heading', HTMLElement);
  private readonly list = requireElement('alert-banner-list', HTMLUListElement);

  constructor(private readonly onOpen: (search: string) => void) {}

  render(items: readonly BannerItem[]): void {
    if (items.length === 0) return this.hide();
    this.heading.textContent = bannerHeading(items.length);
    this.list.replaceChildren(
      ...items.map((item) => {
        const li = createElement('li', undefined, `alert-item alert-item-${item.alert.severity ?? 'info'}`);
        const link = createElement('a', item.text);
        link.href = `/${item.search}`;
        link.dataset['rule'] = item.alert.rule;
        link.dataset['series'] = item.series;
        link.addEventListener('click', (event) => {
          // A plain click stays in the page (its history entry); a middle or modified click opens a tab as usual.
          if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
          event.preventDefault();
          this.onOpen(item.search);
        });
        li.append(link);
        return li;
      }),
    );
    this.banner.hidden = false;
  }

  hide(): void {
    this.banner.hidden = true;
    this.list.replaceChildren();
  }
}
