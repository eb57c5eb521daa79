import { serviceEventTypes, type RawRecord } from '../../domain/raw-record.js';

export class InvalidRawLineError extends Error {
  readonly code = 'INVALID_RAW_LINE';
}

const eventTypes: ReadonlySet<string> = new Set(serviceEventTypes);

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** A sampled fact's adjusted count (raw-record.ts): absent, or a finite number >= 1. */
function weightProblem(weight: unknown): string | undefined {
  if (weight === undefined) return undefined;
  return typeof weight === 'number' && weight >= 1 && weight !== Infinity
    ? undefined
    : 'weight must be a finite number >= 1';
}

/** A histogram bucket's exact count (raw-record.ts): absent, or a safe integer >= 1. */
function countProblem(count: unknown): string | undefined {
  if (count === undefined) return undefined;
  return Number.isSafeInteger(count) && (count as number) >= 1 ? undefined : 'count must be an integer >= 1';
}

/** Hand-written rather than zod: this runs for every raw line and is the rollup's hot path. */
function factProblem(r: Record<string, unknown>): string | undefined {
  if (!isText(r['service'])) return 'service must be a non-empty string';
  if (!isText(r['method'])) return 'method must be a non-empty string';
  if (!isText(r['path'])) return 'path must be a non-empty string';
  return measureProblem(r) ?? countProblem(r['count']) ?? summaryProblem(r);
}

/** An OTLP metrics point's latency sum, min and max (raw-record.ts): absent, or finite numbers >= 0. */
function summaryProblem(r: Record<string, unknown>): string | undefined {
  for (const key of ['latency_sum_ms', 'latency_min_ms', 'latency_max_ms']) {
    const value = r[key];
    if (value !== undefined && !(typeof value === 'number' && value >= 0 && value !== Infinity))
      return `${key} must be a finite number >= 0`;
  }
  return undefined;
}

/** Status, latency and sampling weight: the same rules on facts and edges. */
function measureProblem(r: Record<string, unknown>): string | undefined {
  const status = r['status_code'];
  if (typeof status !== 'number' || !(status >= 100 && status <= 599)) return 'status_code must be 100-599';
  const latency = r['latency_ms'];
  if (typeof latency !== 'number' || !(latency >= 0) || latency === Infinity) {
    return 'latency_ms must be a finite number >= 0';
  }
  return weightProblem(r['weight']);
}

const hexId = (bytes: number) => new RegExp(`^[0-9a-f]{${bytes * 2}}$`);
const traceIdPattern = hexId(16);
const spanIdPattern = hexId(8);

/** A service-map edge (raw-record.ts RawEdge): caller, optional callee, the facts' status/latency/weight rules. */
function edgeProblem(r: Record<string, unknown>): string | undefined {
  if (!isText(r['caller'])) return 'caller must be a non-empty string';
  if (r['callee'] !== undefined && !isText(r['callee'])) return 'callee must be a non-empty string';
  if (typeof r['trace_id'] !== 'string' || !traceIdPattern.test(r['trace_id']))
    return 'trace_id must be 32 lowercase hex digits';
  if (typeof r['span_id'] !== 'string' || !spanIdPattern.test(r['span_id']))
    return 'span_id must be 16 lowercase hex digits';
  return measureProblem(r);
}

function eventProblem(r: Record<string, unknown>): string | undefined {
  if (!isText(r['service'])) return 'service must be a non-empty string';
  if (typeof r['type'] !== 'string' || !eventTypes.has(r['type'])) {
    return `type must be one of ${serviceEventTypes.join(', ')}`;
  }
  return undefined;
}

function recordProblem(r: Record<string, unknown>): string | undefined {
  if (!isText(r['event_id'])) return 'event_id must be a non-empty string';
  if (typeof r['ts'] !== 'number' || !Number.isFinite(r['ts'])) return 'ts must be epoch milliseconds';
  if (r['kind'] === 'fact') return factProblem(r);
  if (r['kind'] === 'event') return eventProblem(r);
  if (r['kind'] === 'edge') return edgeProblem(r);
  return "kind must be 'fact', 'event' or 'edge'";
}

/** Parses one raw JSON line into a record; throws InvalidRawLineError naming the rule it broke. */
export function parseRawLine(line: string): RawRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new InvalidRawLineError(`raw line is not JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidRawLineError('raw line must be a JSON object');
  }
  const problem = recordProblem(value as Record<string, unknown>);
  if (problem !== undefined) throw new InvalidRawLineError(`raw line: ${problem}`);
  return value as RawRecord;
}
