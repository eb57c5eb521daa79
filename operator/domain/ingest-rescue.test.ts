import { planIngestRescue, type IngestRescueInput } from './ingest-rescue.js';

const claims = (...names: string[]) => names.map((name) => ({ name, deleting: false }));

const input = (overrides: Partial<IngestRescueInput> = {}): IngestRescueInput => ({
  statefulSet: 'p-ingest',
  replicas: 1,
  claims: claims('data-p-ingest-0', 'data-p-ingest-1', 'data-p-ingest-2'),
  pods: ['p-ingest-0'],
  jobs: new Map(),
  ...overrides,
});

describe('planIngestRescue', () => {
  it('rescues every claim above the replica count whose pod is gone', () => {
    expect(planIngestRescue(input())).toEqual({ rescue: [1, 2], deleteClaims: [] });
  });

  it('waits while the scaled-away pod still runs (it drains first; two processes never share a log)', () => {
    expect(planIngestRescue(input({ pods: ['p-ingest-0', 'p-ingest-2'] }))).toEqual({
      rescue: [1],
      deleteClaims: [],
    });
  });

  it('deletes a claim once its rescue Job succeeded, and keeps rescuing the one whose Job still runs', () => {
    const jobs = new Map([
      [1, { succeeded: true }],
      [2, { succeeded: false }],
    ]);
    expect(planIngestRescue(input({ jobs }))).toEqual({ rescue: [2], deleteClaims: ['data-p-ingest-1'] });
  });

  it('leaves the claims of running replicas alone, even with a finished Job left from an earlier scale-down', () => {
    const jobs = new Map([[1, { succeeded: true }]]);
    expect(planIngestRescue(input({ replicas: 3, jobs }))).toEqual({ rescue: [], deleteClaims: [] });
  });

  it('does nothing without a StatefulSet, and ignores claims of other sets or with other names', () => {
    expect(planIngestRescue(input({ replicas: undefined }))).toEqual({ rescue: [], deleteClaims: [] });
    const other = claims('data-p-ingest-old-5', 'data-p-ingest-05', 'data-q-ingest-4', 'wal-p-ingest-3');
    expect(planIngestRescue(input({ claims: other }))).toEqual({ rescue: [], deleteClaims: [] });
  });

  it('starts no second Job for a rescued claim that its protection finalizer still holds', () => {
    // The pass that deleted the claim pruned its Job; the next pass still lists the claim, marked for deletion.
    const terminating = [...claims('data-p-ingest-0'), { name: 'data-p-ingest-1', deleting: true }];
    expect(planIngestRescue(input({ claims: terminating, jobs: new Map() }))).toEqual({
      rescue: [],
      deleteClaims: [],
    });
  });
});
