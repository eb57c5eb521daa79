import { mkdirSync, writeFileSync } from 'node:fs';
import type { ObjectStore } from '../adapters/object-store/object-store.js';
import { dayMs, hourMs } from '../domain/hour-metrics.js';
import {
  countOf,
  exactQuantile,
  oracleQuantiles as quantiles,
  withinPromise,
  type Mismatch,
  oracleDayStart as d0,
  oracleEndpoints,
  oracleWindow,
  type PercentileCase,
  type WeightedFact,
} from '../rollup/testing/percentile-cases.js';
import type { EndpointSort } from './query-service.js';
import { QueryService } from './query-service.js';
import { checkStoredPercentiles } from '../rollup/testing/stored-percentiles-oracle.js';

/**
 * The percentile promise checked over the whole query path (raw segments -> rollup -> Parquet -> engine -> API)
 * against the exact order statistic of the facts each answer covers (withinPromise in percentile-cases.ts).
 */
interface Answer {
  requests: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

type Filter = { service?: string; method?: string; path?: string };

const matches = (f: WeightedFact, filter: Filter) =>
  (filter.service === undefined || f.service === filter.service) &&
  (filter.method === undefined || f.method === filter.method) &&
  (filter.path === undefined || f.path === filter.path);

class Checker {
  readonly mismatches: Mismatch[] = [];
  checked = 0;
  constructor(private readonly c: PercentileCase) {}

  answer(query: string, at: string, got: Answer, facts: readonly WeightedFact[]): void {
    this.checked += 1;
    const report = (field: string, observed: number | null, exact: number | null) =>
      this.mismatches.push({ case: this.c.name, query, at, field, observed, exact });
    if (got.requests !== countOf(facts)) report('requests', got.requests, countOf(facts));
    for (const [name, q] of quantiles) {
      const exact = exactQuantile(facts, q);
      if (!withinPromise(got[name], exact)) report(name, got[name], exact);
    }
  }
}

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16);
const minutes = (ms: number) => `${ms / 60_000}m`;

/** Step series: which table the planner reads follows from the filter (endpoint or service) and the step. */
function seriesQueries() {
  const endpoint = oracleEndpoints[0];
  const filters: [string, Filter][] = [
    ['all services (service tables)', {}],
    ['service svc-a (service tables)', { service: 'svc-a' }],
    ['endpoint GET /a (request tables)', { ...endpoint }],
  ];
  const ranges: [number, number, number][] = [
    [60_000, oracleWindow.from, oracleWindow.to],
    [5 * 60_000, oracleWindow.from, oracleWindow.to],
    [15 * 60_000, oracleWindow.from, oracleWindow.to],
    [hourMs, oracleWindow.from, oracleWindow.to], // hour rows
    [hourMs, oracleWindow.from + 7 * 60_000, oracleWindow.to - 60_000], // ragged: minute rows
    [dayMs, d0 - dayMs, d0 + 2 * dayMs], // hour rows, day steps
    [dayMs, oracleWindow.from, oracleWindow.to], // hour rows, steps starting on an hour
  ];
  return filters.flatMap(([label, filter]) =>
    ranges.map(([stepMs, from, to]) => ({ label, filter, stepMs, from, to })),
  );
}

async function checkSeries(service: QueryService, tenant: string, c: PercentileCase, check: Checker) {
  for (const { label, filter, stepMs, from, to } of seriesQueries()) {
    const query = `timeseries ${label} step ${minutes(stepMs)} ${iso(from)}..${iso(to)}`;
    const { points } = await service.timeseries({ tenant, from, to, stepMs, ...filter });
    for (const p of points) {
      const facts = c.facts.filter((f) => matches(f, filter) && f.ts >= p.t && f.ts < p.t + stepMs);
      check.answer(query, iso(p.t), p, facts);
    }
  }
}

async function checkCompare(service: QueryService, tenant: string, c: PercentileCase, check: Checker) {
  const [from, to] = [d0 + dayMs - 3 * hourMs, d0 + dayMs + 3 * hourMs];
  for (const [stepMs, filter] of [
    [15 * 60_000, {}],
    [hourMs, { ...oracleEndpoints[0] }],
  ] as [number, Filter][]) {
    const query = `timeseries compare=1d step ${minutes(stepMs)} filter ${JSON.stringify(filter)}`;
    const { compare } = await service.timeseries({ tenant, from, to, stepMs, compare: '1d', ...filter });
    for (const p of compare!.points) {
      const past = p.t - dayMs;
      const facts = c.facts.filter((f) => matches(f, filter) && f.ts >= past && f.ts < past + stepMs);
      check.answer(query, `overlay of ${iso(past)}`, p, facts);
    }
  }
}

/** Endpoint tables over ranges that make the planner read day tiles, hours, minutes or a mix. */
function endpointQueries(): {
  label: string;
  from: number;
  to: number;
  sort: EndpointSort;
  service?: string;
}[] {
  const ragged = { from: oracleWindow.from + 17 * 60_000, to: oracleWindow.to - 13 * 60_000 };
  return [
    { label: 'day tile + hours + minutes', ...ragged, sort: 'p95' },
    { label: 'day tile only', from: d0, to: d0 + dayMs, sort: 'p95' },
    { label: 'hours only', from: d0 - 3 * hourMs, to: d0, sort: 'p95' },
    {
      label: 'minutes only',
      from: d0 - 3 * hourMs + 5 * 60_000,
      to: d0 - 2 * hourMs - 10 * 60_000,
      sort: 'p95',
    },
    { label: 'top 2 by requests, day tile + hours + minutes', ...ragged, sort: 'requests' },
    {
      label: 'service svc-a, day tile + hours',
      from: d0 - 3 * hourMs,
      to: d0 + dayMs,
      sort: 'errors',
      service: 'svc-a',
    },
  ];
}

async function checkEndpoints(service: QueryService, tenant: string, c: PercentileCase, check: Checker) {
  for (const { label, from, to, sort, service: only } of endpointQueries()) {
    const limit = sort === 'requests' ? 2 : 100;
    const { endpoints } = await service.endpoints(tenant, from, to, sort, limit, only);
    const query = `endpoints sort=${sort} ${label} ${iso(from)}..${iso(to)}`;
    for (const e of endpoints) {
      const facts = c.facts.filter((f) => matches(f, e) && f.ts >= from && f.ts < to);
      check.answer(query, `${e.service} ${e.method} ${e.path}`, e, facts);
    }
    if (sort === 'p95') {
      const expected = new Set(
        c.facts.filter((f) => f.ts >= from && f.ts < to && matches(f, { service: only })),
      );
      const keys = new Set([...expected].map((f) => `${f.service} ${f.method} ${f.path}`));
      if (endpoints.length !== keys.size) {
        check.mismatches.push({
          case: c.name,
          query,
          at: '-',
          field: 'endpoints',
          observed: endpoints.length,
          exact: keys.size,
        });
      }
      const p95s = endpoints.map((e) => e.p95 ?? -1);
      if (p95s.some((v, i) => i > 0 && v > p95s[i - 1]!)) {
        check.mismatches.push({
          case: c.name,
          query,
          at: '-',
          field: 'p95 order',
          observed: null,
          exact: null,
        });
      }
    }
  }
}

/** Checks every case through the API and the stored p50/p95/p99 columns; returns what broke the promise. */
export async function checkPercentileCases(
  service: QueryService,
  store: ObjectStore,
  cases: readonly PercentileCase[],
): Promise<{ mismatches: Mismatch[]; checked: number }> {
  const all: Mismatch[] = [];
  let checked = 0;
  for (const c of cases) {
    const check = new Checker(c);
    await checkSeries(service, c.tenant, c, check);
    await checkCompare(service, c.tenant, c, check);
    await checkEndpoints(service, c.tenant, c, check);
    all.push(...check.mismatches, ...(await checkStoredPercentiles(store, c)));
    checked += check.checked;
  }
  return { mismatches: all, checked };
}

/** Keeps the full list of mismatches where a person can read it; the assertion shows the first few. */
export function writeMismatchReport(engine: string, mismatches: readonly Mismatch[]): string {
  const dir = 'test-artifacts/percentile-oracle';
  mkdirSync(dir, { recursive: true });
  const file = `${dir}/${engine.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.json`;
  writeFileSync(file, JSON.stringify(mismatches, null, 1));
  return file;
}
