import type { SeriesKey } from './series-window.js';

/** What one rule saw for one series at one evaluated minute: the input of the state machine. */
export interface Observation {
  seriesId: string;
  key: SeriesKey;
  /** The condition holds (a breach, a burn, an anomaly, a silence). */
  breaching: boolean;
  /** The measured value, formatted for people ("4.1%", "812 ms", "0 req/min"). */
  value: string;
  /** What it was compared with ("> 5%", "expected 0.3-0.9% for Tuesday 14:00"). */
  expected: string;
  /** One sentence: what is wrong and by how much. */
  explanation: string;
  /** 'page' | 'ticket' | 'info': SLO rules decide per evaluation (fast burn pages, slow burn tickets). */
  severity?: 'page' | 'ticket' | 'info';
  /** SLO rules: error budget left over the period, percent (may be negative). */
  budgetRemainingPct?: number;
  /** The series had too little traffic to judge: the state machine keeps its state (no resolve on silence). */
  insufficient?: boolean;
}

export const formatPct = (v: number) => `${v < 10 ? v.toFixed(2) : v.toFixed(1)}%`;
export const formatMs = (v: number) => `${v < 10 ? v.toFixed(2) : Math.round(v)} ms`;
export const formatRate = (v: number) => `${v < 10 ? v.toFixed(1) : Math.round(v)} req/min`;
