import type { EventsResponse } from '../../../../workers/query/api-types.js';
import { formatInstant } from '../domain/scale.js';
import { createElement } from './require-element.js';

type ServiceEvent = EventsResponse['events'][number];

/**
 * A real tooltip for deploy/incident markers: every event of the group with its type, service, version, time and
 * description (an incident's text is the first thing on-call wants). Opens on hover and on keyboard focus.
 */
export function attachMarkerTooltip(
  box: HTMLElement,
  events: readonly ServiceEvent[],
  timeZone?: string,
): void {
  const tip = createElement('div', undefined, 'marker-tip');
  tip.hidden = true;
  tip.setAttribute('role', 'tooltip');
  box.append(tip);
  const show = (target: EventTarget | null) => {
    const group = target instanceof Element ? target.closest<SVGGElement>('g.marker') : null;
    if (!group) return;
    const indexes = (group.dataset['events'] ?? '').split(',').map(Number);
    const items = indexes.flatMap((i) => (events[i] ? [events[i]] : []));
    tip.replaceChildren(
      ...items.slice(0, 8).map((e) => {
        const item = createElement('div', undefined, `marker-item marker-item-${e.type}`);
        const head = [e.type, e.service, e.version].filter(Boolean).join(' ');
        item.append(createElement('strong', head), createElement('span', ` ${formatInstant(e.t, timeZone)}`));
        if (e.description) item.append(createElement('p', e.description));
        return item;
      }),
    );
    if (items.length > 8) tip.append(createElement('p', `and ${items.length - 8} more`));
    const rect = box.getBoundingClientRect();
    const x = group.getBoundingClientRect().left - rect.left;
    tip.style.left = x > rect.width / 2 ? '' : `${x + 10}px`;
    tip.style.right = x > rect.width / 2 ? `${rect.width - x + 10}px` : '';
    tip.hidden = false;
  };
  for (const group of box.querySelectorAll<SVGGElement>('g.marker')) {
    group.addEventListener('pointerenter', () => show(group));
    group.addEventListener('focus', () => show(group));
    group.addEventListener('pointerleave', () => (tip.hidden = true));
    group.addEventListener('blur', () => (tip.hidden = true));
  }
}
