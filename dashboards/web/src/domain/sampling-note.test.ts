import type { TimeseriesPoint } from '../../../../workers/query/api-types.js';
import { buildSamplingNote, formatEstimatedCount } from './sampling-note.js';

const point = (t: number, requests: number, estimatedRequests = 0) =>
  ({ t, requests, estimated: estimatedRequests > 0, estimatedRequests }) as TimeseriesPoint;

describe('sampling note', () => {
  it('says nothing when no bucket holds a sampled request', () => {
    expect(buildSamplingNote([point(0, 10), point(1, 5)])).toBeNull();
    expect(buildSamplingNote([])).toBeNull();
  });

  it('names the estimated buckets and the share of requests counted from samples', () => {
    expect(buildSamplingNote([point(0, 100, 40), point(1, 100)])).toBe(
      'Estimated from samples: 1 of 2 buckets; 40 of 200 requests (20%) are sampled spans counted by their adjusted count.',
    );
    expect(buildSamplingNote([point(0, 8, 8)])).toBe(
      'Estimated from samples: every bucket; 8 of 8 requests (100%) are sampled spans counted by their adjusted count.',
    );
  });

  it('marks an estimated endpoint count with ≈ and leaves an exact one alone', () => {
    expect(formatEstimatedCount({ requests: 1200, estimated: true })).toBe(
      `≈ ${formatEstimatedCount({ requests: 1200, estimated: false })}`,
    );
    expect(formatEstimatedCount({ requests: 3, estimated: false })).toBe('3');
  });
});
