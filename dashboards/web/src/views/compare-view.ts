import { COMPARE_LABELS, type CompareFigure } from '../domain/compare-figures.js';
import { createElement, requireElement } from './require-element.js';

/**
 * "Compare with" as numbers: each series over the whole range with its change against the compared range, above
 * the charts whose dashed lines show the shape. Hidden without a comparison.
 */
export class CompareView {
  private readonly section = requireElement('compare', HTMLElement);
  private readonly list = requireElement('compare-figures', HTMLUListElement);
  private readonly title = requireElement('compare-title', HTMLHeadingElement);

  hide(): void {
    this.section.hidden = true;
  }

  render(figures: CompareFigure[], offset: '1d' | '7d'): void {
    this.title.textContent = `This range against ${COMPARE_LABELS[offset]}`;
    this.list.replaceChildren(
      ...figures.map((f) => {
        const item = createElement('li', undefined, 'compare-figure');
        item.dataset['series'] = f.name;
        const delta = createElement('span', f.change.text, `change change-${f.change.direction}`);
        if (f.change.significant) delta.classList.add('significant');
        item.append(
          createElement('span', f.name, 'compare-name'),
          createElement('span', f.value, 'figure'),
          delta,
        );
        return item;
      }),
    );
    this.section.hidden = false;
  }
}
