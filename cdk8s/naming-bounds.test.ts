import { MAX_NAME_LENGTH } from '../crds/gravix-pipeline-crd.js';
import { makePipeline } from '../crds/testing/pipeline-fixture.js';
import { synthPipeline } from './pipeline-chart.js';

describe('child names and labels of the longest pipeline name', () => {
  const longest = 'p'.repeat(MAX_NAME_LENGTH);
  const children = synthPipeline(
    makePipeline({ cube: { enabled: true }, ingress: { enabled: true, host: 'h.example.com' } }, longest),
  );

  it('is 34 characters, set by the -trino-coordinator StatefulSet', () => {
    expect(MAX_NAME_LENGTH).toBe(34);
  });

  it('leaves every StatefulSet room for the controller-revision-hash label (name <= 52)', () => {
    const statefulSets = children.filter((m) => m.kind === 'StatefulSet');
    expect(statefulSets.length).toBeGreaterThan(0);
    for (const s of statefulSets) expect(s.metadata.name.length).toBeLessThanOrEqual(52);
  });

  it('keeps every child name a DNS label and every label value within 63 characters', () => {
    for (const m of children) {
      expect(m.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
      for (const value of Object.values(m.metadata.labels ?? {}))
        expect(value.length).toBeLessThanOrEqual(63);
    }
  });
});
