import { buildHistoryPlan } from './history-plan.js';
import { postJson } from './post-json.js';
import { TrafficModel, type RequestFactBody } from './traffic-model.js';

export interface HistoryOptions {
  url: string;
  key: string;
  /** The live traffic's mean rate, so the back-dated weeks look like the live one (week-over-week). */
  rate: number;
  services: number;
  paths: number;
  seed: number;
  from: number;
  to: number;
}

export interface HistoryResult {
  facts: number;
  events: number;
  incidents: number;
  ms: number;
}

/** What a long backfill reports while it runs (the dev process logs it). */
export interface HistoryProgress {
  onBatch?: (sentUpTo: number, facts: number) => void;
  /** Ingest answered 429 or 503: the batch is sent again after Retry-After. */
  onWait?: (status: number, answer: unknown) => void;
}

export class HistoryRefusedError extends Error {
  readonly code = 'DEMO_HISTORY_REFUSED';
}

/** Batches of about this many facts: large enough to be cheap per fact, far under the ingest batch limits. */
const factsPerBatch = 4000;
/** Batches in flight at once: ingest fsyncs one while the next is generated and sent. */
const inFlight = 2;

/**
 * Posts through `path` until ingest accepts it whole: 429/503 are waited out (Retry-After), anything refused is
 * an error, so a history with holes never passes for a complete one.
 */
async function postAll(
  o: HistoryOptions,
  path: string,
  items: unknown[],
  signal?: AbortSignal,
  onWait?: HistoryProgress['onWait'],
): Promise<void> {
  for (;;) {
    const { status, answer, retryAfterMs } = await postJson(o.url, o.key, path, items);
    if (status === 429 || status === 503) {
      if (signal?.aborted) return;
      onWait?.(status, answer);
      await new Promise((r) => setTimeout(r, retryAfterMs));
      continue;
    }
    const rejected = (answer as { rejected?: unknown[] } | null)?.rejected ?? [];
    if (status === 200 && rejected.length === 0) return;
    throw new HistoryRefusedError(
      `ingest refused back-dated ${path.slice(8)} (HTTP ${status}): ${JSON.stringify(answer).slice(0, 300)}`,
    );
  }
}

/**
 * `gravix dev --demo --history`: the modelled traffic of [from, to) with its deploys and incidents (history-plan.ts),
 * sent through the ingest API like live traffic — WAL, sealed segments, the rollup — in order of time.
 */
export async function sendHistory(
  o: HistoryOptions,
  signal?: AbortSignal,
  progress: HistoryProgress = {},
): Promise<HistoryResult> {
  const started = Date.now();
  const endpoints = new TrafficModel({
    seed: o.seed,
    services: o.services,
    pathsPerService: o.paths,
    ratePerSecond: 1,
  }).endpoints;
  const plan = buildHistoryPlan(o.from, o.to, [...new Set(endpoints.map((e) => e.service))]);
  // Another seed than the live traffic's, so event ids of the two never meet.
  const model = new TrafficModel({
    seed: o.seed + 1_000,
    services: o.services,
    pathsPerService: o.paths,
    ratePerSecond: o.rate,
    incidents: plan.incidents,
  });
  if (plan.events.length > 0) await postAll(o, '/api/v1/events', plan.events, signal, progress.onWait);
  const secondsPerBatch = Math.max(1, Math.min(3600, Math.floor(factsPerBatch / o.rate)));
  const pending = new Set<Promise<void>>();
  let facts = 0;
  for (let t = Math.floor(o.from / 1000) * 1000; t < o.to && !signal?.aborted; t += secondsPerBatch * 1000) {
    const batch: RequestFactBody[] = [];
    for (let s = t; s < Math.min(t + secondsPerBatch * 1000, o.to); s += 1000) batch.push(...model.second(s));
    const inRange = batch.filter((f) => f.timestamp >= o.from && f.timestamp < o.to);
    if (inRange.length === 0) continue;
    const sent = postAll(o, '/api/v1/facts', inRange, signal, progress.onWait).then(() => {
      facts += inRange.length;
      progress.onBatch?.(t, facts);
    });
    pending.add(sent);
    void sent.finally(() => pending.delete(sent)).catch(() => undefined);
    if (pending.size >= inFlight) await Promise.race(pending);
  }
  await Promise.all(pending);
  return { facts, events: plan.events.length, incidents: plan.incidents.length, ms: Date.now() - started };
}
