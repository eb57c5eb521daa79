import { buildApiDownFreshness, buildFreshnessView } from '../domain/freshness-text.js';
import type { FreshnessResponse } from '../../../../workers/query/api-types.js';
import { requireElement } from './require-element.js';

/** Freshness line, error banner and loading text: the parts that tell the user how far to trust the page. */
export class StatusView {
  private readonly freshness = requireElement('freshness', HTMLParagraphElement);
  private readonly banner = requireElement('banner', HTMLDivElement);
  private readonly bannerText = requireElement('banner-text', HTMLParagraphElement);
  private readonly loading = requireElement('loading', HTMLParagraphElement);

  constructor(onRetry: () => void) {
    requireElement('banner-retry', HTMLButtonElement).addEventListener('click', onRetry);
  }

  /** Signed out: there is nothing to vouch for. */
  clearFreshness(): void {
    this.freshness.textContent = '';
    this.freshness.classList.remove('stale');
  }

  /** Nothing loaded yet and the API failed: say so rather than keep "Checking…" forever. */
  renderFreshnessUnknown(): void {
    this.freshness.textContent = 'Data freshness unknown';
    this.freshness.classList.add('stale');
  }

  /** The API cannot be reached: nothing on the page is current any more, whatever the last answer said. */
  renderApiDown(lastAnswerAt: number | null, formatTime: (t: number) => string): void {
    this.freshness.textContent = buildApiDownFreshness(lastAnswerAt, formatTime);
    this.freshness.classList.add('stale');
  }

  renderFreshness(response: FreshnessResponse, elapsedMs: number): void {
    const view = buildFreshnessView(response, elapsedMs);
    if (this.freshness.textContent !== view.text) this.freshness.textContent = view.text;
    this.freshness.classList.toggle('stale', view.stale);
  }

  showBanner(text: string): void {
    this.bannerText.textContent = text;
    this.banner.hidden = false;
  }

  hideBanner(): void {
    this.banner.hidden = true;
    this.bannerText.textContent = '';
  }

  setLoading(text: string): void {
    this.loading.textContent = text;
  }
}
