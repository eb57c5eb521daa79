import { formatInstant } from '../domain/scale.js';
import { requireElement } from './require-element.js';

/**
 * The line above the endpoint table when a chart bucket was clicked: which bucket the table shows, and a button
 * back to the whole range.
 */
export class BucketFilterView {
  private readonly box = requireElement('endpoints-bucket', HTMLDivElement);
  private readonly text = requireElement('endpoints-bucket-text', HTMLSpanElement);
  private readonly clear = requireElement('endpoints-bucket-clear', HTMLButtonElement);

  constructor(onClear: () => void) {
    this.clear.addEventListener('click', onClear);
  }

  render(bucket: { from: number; to: number } | null, timeZone: string | undefined): void {
    this.box.hidden = bucket === null;
    if (!bucket) return;
    const end = formatInstant(bucket.to, timeZone).split(' ').at(-1);
    this.text.textContent = `Only the bucket ${formatInstant(bucket.from, timeZone)}–${end}`;
  }
}
