import type { SeriesWindow } from '../domain/series-window.js';
import type { AnomalyInput } from '../domain/evaluate-anomaly.js';
import { makeWindow } from './alert-fixtures.js';
import { drawPoisson } from '../../domain/random-draws.js';

/**
 * Simulated request counts of one series for the recent-level property tests (ADR 0117): checkout's diurnal shape
 * in the labelled scenario (120 requests a minute at 14:00 UTC, 10% of that at night), Poisson arrivals drawn as
 * the scenario draws them (drawPoisson: exact up to 30, the normal approximation above), and a level per day drawn
 * like the scenario's (0.93-1.07). Only counts: the throughput test reads nothing else.
 */
const minuteMs = 60_000;
const dayMinutes = 1440;
const key = { service: 'checkout' };

export const checkoutRate = (minuteOfDay: number) => {
  const phase = (2 * Math.PI * (minuteOfDay / 60 - 14)) / 24;
  return 120 * (0.1 + 0.9 * ((1 + Math.cos(phase)) / 2) ** 1.5);
};

export interface SimulatedDay {
  /** The evaluated day's minute counts, preceded by the day before's (index 0 = the day before's midnight). */
  counts: number[];
  /** The baseline days' levels (ten samples: six days and four weeks back). */
  baselineLevels: number[];
}

/**
 * Yesterday at a usual level, then the evaluated day at `level` of it (0.6: the low day), with `traffic(m)` a
 * further factor per minute of the evaluated day (a sudden drop).
 */
export function simulateDay(
  random: () => number,
  level: number,
  traffic: (minuteOfDay: number) => number = () => 1,
): SimulatedDay {
  const usual = () => 0.93 + 0.14 * random();
  const yesterday = usual();
  const counts = Array.from({ length: 2 * dayMinutes }, (_, i) => {
    const m = i % dayMinutes;
    const factor = i < dayMinutes ? yesterday : level * traffic(m);
    return drawPoisson(random, checkoutRate(m) * factor);
  });
  return { counts, baselineLevels: Array.from({ length: 10 }, usual) };
}

const expectedOver = (from: number, to: number) => {
  let sum = 0;
  for (let i = from; i < to; i++) sum += checkoutRate(((i % dayMinutes) + dayMinutes) % dayMinutes);
  return sum;
};

const countWindow = (requests: number): SeriesWindow => makeWindow(key, requests, 0);

/**
 * What the evaluator reads at minute `m` of the evaluated day: the 5-minute window, the newest 1..5 minutes, the
 * baseline windows and the level spans (`spanMinutes` before the window) now and at each baseline day.
 */
export function inputAt(
  random: () => number,
  day: SimulatedDay,
  m: number,
  spanMinutes: number,
): AnomalyInput {
  const end = dayMinutes + m + 1;
  const sum = (from: number, to: number) => day.counts.slice(from, to).reduce((a, b) => a + b, 0);
  const recent = [1, 2, 3, 4, 5].map((k) => countWindow(sum(end - k, end)));
  const windowExpected = expectedOver(m + 1 - 5, m + 1);
  const spanExpected = expectedOver(m + 1 - 5 - spanMinutes, m + 1 - 5);
  return {
    key,
    current: recent[4],
    recent,
    samples: day.baselineLevels.map((l) => countWindow(drawPoisson(random, l * windowExpected))),
    level: {
      recent: sum(end - 5 - spanMinutes, end - 5),
      samples: day.baselineLevels.map((l) => drawPoisson(random, l * spanExpected)),
    },
  };
}

export const minuteOf = (dayStart: number, m: number) => dayStart + m * minuteMs;
