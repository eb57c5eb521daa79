import { makePipeline } from '../../crds/testing/pipeline-fixture.js';
import type { GravixPipeline } from '../../crds/gravix-pipeline.js';
import type { Manifest } from '../../cdk8s/pipeline-chart.js';
import type { KubeObject } from '../adapters/kube-client.js';
import {
  buildPassMemo,
  synthInputsDigest,
  unchangedChildren,
  type ChildRef,
  type SynthInputs,
} from './pass-memo.js';

const inputs = (overrides: Partial<SynthInputs> = {}): SynthInputs => ({
  prometheusOperator: false,
  secretsHash: 'h1',
  ingestRescue: [],
  tenants: { settings: [], authors: {}, deleted: {} },
  ...overrides,
});

const pipeline = (metadata: Record<string, unknown> = {}): GravixPipeline => {
  const p = makePipeline({}, 'shop');
  return { ...p, metadata: { ...p.metadata, uid: 'u1', generation: 1, resourceVersion: '10', ...metadata } };
};

const manifest = (kind: string, name: string, spec: Record<string, unknown> = {}): Manifest => ({
  apiVersion: kind === 'StatefulSet' ? 'apps/v1' : 'v1',
  kind,
  metadata: { name, namespace: 'default' },
  spec,
});

const live = (m: Manifest, resourceVersion: string | undefined): KubeObject => ({
  apiVersion: m.apiVersion,
  kind: m.kind,
  metadata: { name: m.metadata.name, namespace: 'default', resourceVersion },
});

const claimTemplate = { metadata: { name: 'wal' }, spec: { resources: { requests: { storage: '5Gi' } } } };
const service = manifest('Service', 'shop-ingest', { ports: [{ port: 80 }] });
const statefulSet = manifest('StatefulSet', 'shop-ingest', {
  replicas: 3,
  template: { spec: { containers: [{ name: 'ingest' }] } },
  volumeClaimTemplates: [claimTemplate],
});

describe('synthInputsDigest', () => {
  const base = synthInputsDigest(pipeline(), inputs());

  it('ignores what the operator’s own status writes move (resourceVersion, managedFields, status)', () => {
    const written = { ...pipeline({ resourceVersion: '11', managedFields: [{ manager: 'x' }] }) };
    expect(synthInputsDigest({ ...written, status: { phase: 'Running' } }, inputs())).toBe(base);
  });

  it('changes with the generation, the spec, labels, annotations and the uid', () => {
    const changed = [
      pipeline({ generation: 2 }),
      { ...pipeline(), spec: { ...pipeline().spec, version: '9.9.9' } },
      pipeline({ labels: { team: 'a' } }),
      pipeline({ annotations: { 'gravix.dev/x': 'y' } }),
      pipeline({ uid: 'u2' }),
    ];
    for (const p of changed) expect(synthInputsDigest(p, inputs())).not.toBe(base);
  });

  it('changes with every computed input', () => {
    const changed = [
      inputs({ prometheusOperator: true }),
      inputs({ secretsHash: 'h2' }),
      inputs({ ingestRescue: [3] }),
      inputs({ tenants: { settings: [], authors: {}, deleted: { u9: { tenant: 't', at: 1 } } } }),
    ];
    for (const i of changed) expect(synthInputsDigest(pipeline(), i)).not.toBe(base);
  });
});

describe('buildPassMemo', () => {
  it('remembers every applied child at its answered resourceVersion and the prune keys', () => {
    const memo = buildPassMemo(
      'd',
      [service, statefulSet],
      [live(service, '5'), live(statefulSet, '6')],
      [service, statefulSet],
    );
    expect(memo?.children).toEqual([
      { apiVersion: 'v1', kind: 'Service', namespace: 'default', name: 'shop-ingest', resourceVersion: '5' },
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        namespace: 'default',
        name: 'shop-ingest',
        resourceVersion: '6',
      },
    ]);
    expect(memo?.kept).toEqual(['Service/shop-ingest', 'StatefulSet/shop-ingest']);
  });

  it('keeps of a StatefulSet only its claim templates (what claim growth reads), not its pod template', () => {
    const memo = buildPassMemo('d', [service, statefulSet], [live(service, '5'), live(statefulSet, '6')], []);
    expect(memo?.claimTemplates).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'shop-ingest', namespace: 'default' },
        spec: { volumeClaimTemplates: [claimTemplate] },
      },
    ]);
  });

  it('is not kept when an answer has no resourceVersion to compare with later', () => {
    expect(buildPassMemo('d', [service], [live(service, undefined)], [service])).toBeUndefined();
  });
});

describe('unchangedChildren', () => {
  const memo = buildPassMemo('d', [service, statefulSet], [live(service, '5'), live(statefulSet, '6')], [])!;
  const cache = (versions: Record<string, string | undefined>) => (ref: ChildRef) =>
    ref.kind in versions ? live(manifest(ref.kind, ref.name), versions[ref.kind]) : undefined;

  it('answers the live children when the inputs and every child’s resourceVersion are unchanged', () => {
    const children = unchangedChildren(memo, 'd', cache({ Service: '5', StatefulSet: '6' }));
    expect(children?.map((c) => `${c.kind} ${c.metadata?.resourceVersion}`)).toEqual([
      'Service 5',
      'StatefulSet 6',
    ]);
  });

  it('answers undefined (synthesize and apply) for new inputs, an edited child, a deleted one, or no memo', () => {
    expect(unchangedChildren(memo, 'other', cache({ Service: '5', StatefulSet: '6' }))).toBeUndefined();
    expect(unchangedChildren(memo, 'd', cache({ Service: '7', StatefulSet: '6' }))).toBeUndefined();
    expect(unchangedChildren(memo, 'd', cache({ StatefulSet: '6' }))).toBeUndefined();
    expect(unchangedChildren(undefined, 'd', cache({ Service: '5', StatefulSet: '6' }))).toBeUndefined();
  });
});
