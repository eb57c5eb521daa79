import type { SilenceSpec } from '../../../crds/gravix-alert-rule-spec.js';
import type { Observation } from './observation.js';
import { buildBaseline, describeTimeOfWeek } from './seasonal-baseline.js';
import { seriesId, type SeriesKey } from './series-window.js';

export interface SilenceInput {
  key: SeriesKey;
  /** Requests in the last `minutes` committed minutes. */
  requests: number;
  /** Requests in the same minutes at each baseline offset that had data. */
  samples: readonly number[];
}

/**
 * A service that normally sends traffic at this hour (its seasonal median for these minutes is at least
 * minExpectedRequests) and sent none for `minutes` minutes. A service that is quiet at night is not silent.
 */
export function evaluateSilence(
  spec: SilenceSpec,
  inputs: readonly SilenceInput[],
  at: number,
): Observation[] {
  return inputs.map((input) => {
    const baseline = buildBaseline(input.samples);
    const expected = baseline?.median ?? 0;
    const expectsTraffic = baseline !== undefined && expected >= spec.minExpectedRequests;
    const breaching = expectsTraffic && input.requests === 0;
    const when = describeTimeOfWeek(at);
    return {
      seriesId: seriesId(input.key),
      key: input.key,
      breaching,
      insufficient: baseline === undefined,
      value: `${input.requests} requests in ${spec.minutes} min`,
      expected: `~${Math.round(expected)} requests for ${when}`,
      explanation: breaching
        ? `no requests for ${spec.minutes} min; usually ~${Math.round(expected)} for ${when}`
        : `${input.requests} requests in the last ${spec.minutes} min (usually ~${Math.round(expected)})`,
    };
  });
}
