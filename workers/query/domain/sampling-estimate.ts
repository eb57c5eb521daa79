import type { SamplingEstimate } from '../api-types.js';
import type { CountRow } from '../app/query-engine.js';

/**
 * The API's "estimated from samples" fields of a group: estimated when any of its requests was counted from a
 * sampled span's adjusted count (the rollup's estimated_requests, summed like every count, so a step, endpoint or
 * service is estimated exactly when one of its minutes is).
 */
export function samplingEstimate(c: Pick<CountRow, 'estimatedRequests'>): SamplingEstimate {
  return { estimated: c.estimatedRequests > 0, estimatedRequests: c.estimatedRequests };
}
