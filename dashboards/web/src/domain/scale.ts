/** Axis maths for the hand-rolled SVG charts. */

export type Scale = (value: number) => number;

export function linearScale(domain: [number, number], range: [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  return (value) => r0 + ((value - d0) / span) * (r1 - r0);
}

/**
 * Ticks from 0 to a "nice" top (1, 2, 2.5, 5 x 10^k) covering `max`. An empty chart still gets a 0..1 axis
 * so it renders as an honest flat line rather than collapsing.
 */
export function niceTicks(max: number, count = 4): number[] {
  const top = max > 0 && Number.isFinite(max) ? max : 1;
  const rough = top / count;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= rough) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let i = 0; i * step < top + step * 1e-9 || ticks.length < 2; i++) ticks.push(round(i * step));
  if (ticks[ticks.length - 1]! < top) ticks.push(round(ticks.length * step));
  return ticks;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TIME_STEPS = [
  MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
];

/** Tick instants at a round interval, about `count` of them, aligned to the interval in UTC. */
export function timeTicks(from: number, to: number, count = 5): number[] {
  const interval = TIME_STEPS.find((s) => (to - from) / s <= count) ?? DAY;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / interval) * interval; t <= to; t += interval) ticks.push(t);
  return ticks;
}

/** Hours and minutes within a day; day and month for longer spans. */
export function formatTimeTick(t: number, spanMs: number, timeZone?: string): string {
  const options: Intl.DateTimeFormatOptions =
    spanMs > 2 * DAY
      ? { month: 'short', day: 'numeric', timeZone }
      : { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone };
  return new Intl.DateTimeFormat('en-GB', options).format(t);
}

/** A full instant for tooltips, summaries and the custom range label. */
export function formatInstant(t: number, timeZone?: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone,
  }).format(t);
}

function round(value: number): number {
  return Number(value.toPrecision(12));
}
