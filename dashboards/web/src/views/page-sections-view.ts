import type { DashboardState } from '../domain/dashboard-state.js';
import { buildCurlExample, parseIngestPort } from '../domain/curl-example.js';
import { requireElement } from './require-element.js';

/** Breadcrumb for the endpoint drill-down, and the empty state that replaces the dashboard before any data. */
export class PageSectionsView {
  private readonly breadcrumb = requireElement('breadcrumb', HTMLElement);
  private readonly current = requireElement('drill-current', HTMLSpanElement);
  readonly back = requireElement('drill-back', HTMLButtonElement);
  private readonly empty = requireElement('empty-state', HTMLElement);
  private readonly curl = requireElement('curl-example', HTMLElement);
  private readonly dashboard = requireElement('dashboard', HTMLDivElement);

  private readonly copyStatus = requireElement('copy-status', HTMLSpanElement);

  constructor(onBack: () => void) {
    this.back.addEventListener('click', onBack);
    requireElement('copy-curl', HTMLButtonElement).addEventListener('click', () => void this.copyCurl());
  }

  /** The clipboard API exists only in secure contexts; elsewhere select the text so Ctrl+C works. */
  private async copyCurl(): Promise<void> {
    const text = this.curl.textContent ?? '';
    try {
      await navigator.clipboard.writeText(text);
      this.copyStatus.textContent = 'Copied.';
    } catch {
      window.getSelection()?.selectAllChildren(this.curl);
      this.copyStatus.textContent = 'Selected: press Ctrl+C (⌘C) to copy.';
    }
  }

  renderBreadcrumb(state: DashboardState): void {
    this.breadcrumb.hidden = !state.endpoint;
    this.current.textContent = state.endpoint
      ? `${state.service ?? ''} ${state.endpoint.method} ${state.endpoint.path}`
      : '';
  }

  showEmpty(isEmpty: boolean): void {
    if (isEmpty && !this.curl.textContent) {
      const port = parseIngestPort(
        document.querySelector<HTMLMetaElement>('meta[name="gravix-ingest-port"]')?.content,
      );
      this.curl.textContent = buildCurlExample(window.location, port, Date.now());
    }
    this.empty.hidden = !isEmpty;
    this.dashboard.hidden = isEmpty;
  }
}
