import { buildStatus, sameStatus, type Observation } from './pipeline-status.js';
import { failedJob, workloadReadiness, type WorkloadObject } from './workload-readiness.js';

const observation = (overrides: Partial<Observation> = {}): Observation => ({
  generation: 3,
  workloads: [
    { name: 'shop-ingest', ready: true },
    { name: 'shop-query', ready: false },
  ],
  ingestReplicas: 2,
  ...overrides,
});

describe('buildStatus', () => {
  it('says which part of the pipeline does not work, the most fundamental first, and why', () => {
    const workloads = [
      { name: 'shop-query', ready: false, component: 'query' },
      { name: 'shop-rollup', ready: false, component: 'rollup' },
      { name: 'shop-ingest', ready: true, component: 'ingest' },
    ];
    const available = buildStatus(undefined, observation({ workloads }), 'T1').conditions![0]!;
    expect({ reason: available.reason, message: available.message }).toEqual({
      reason: 'RollupFailing',
      message:
        'waiting for shop-query (the query server cannot run a query on its engine; its /ready says why), ' +
        'shop-rollup (no rollup pass has succeeded since the last failure; its /ready says why)',
    });
    const ready = workloads.map((w) => ({ ...w, ready: true }));
    expect(buildStatus(undefined, observation({ workloads: ready }), 'T1').conditions![0]).toMatchObject({
      status: 'True',
      reason: 'WorkloadsReady',
    });
  });

  it('says AlertsNotReady when only the alert workers are not ready, after anything more fundamental', () => {
    const alert = { name: 'shop-alert', ready: false, component: 'alert' };
    const only = buildStatus(undefined, observation({ workloads: [alert] }), 'T1').conditions![0]!;
    expect(only).toMatchObject({
      status: 'False',
      reason: 'AlertsNotReady',
      message:
        'waiting for shop-alert (the alert workers are not ready (their /ready waits until the GravixAlertRules are listed))',
    });
    const ingest = { name: 'shop-ingest', ready: false, component: 'ingest' };
    const both = buildStatus(undefined, observation({ workloads: [alert, ingest] }), 'T1').conditions![0]!;
    expect(both.reason).toBe('IngestNotReady');
  });

  it('reads the component from the workload label', () => {
    const w = {
      kind: 'Deployment',
      metadata: { name: 'x', labels: { 'app.kubernetes.io/component': 'rollup' } },
    };
    expect(workloadReadiness(w as WorkloadObject)).toEqual({ name: 'x', ready: false, component: 'rollup' });
  });

  it('reports Progressing while a workload is not ready, naming it', () => {
    const status = buildStatus(undefined, observation(), 'T1');
    expect(status.phase).toBe('Progressing');
    expect(status.conditions).toEqual([
      {
        type: 'Available',
        status: 'False',
        reason: 'WorkloadsNotReady',
        message: 'waiting for shop-query',
        observedGeneration: 3,
        lastTransitionTime: 'T1',
      },
      {
        type: 'Progressing',
        status: 'True',
        reason: 'RollingOut',
        message: 'children applied; waiting for workloads',
        observedGeneration: 3,
        lastTransitionTime: 'T1',
      },
      {
        type: 'Degraded',
        status: 'False',
        reason: 'AsExpected',
        message: 'last reconcile succeeded',
        observedGeneration: 3,
        lastTransitionTime: 'T1',
      },
    ]);
  });

  it('is identical on a second pass with nothing changed, so no status write happens', () => {
    const first = buildStatus(undefined, observation(), 'T1');
    expect(buildStatus(first, observation(), 'T2')).toEqual(first);
  });

  it('moves lastTransitionTime only for conditions whose status flipped', () => {
    const first = buildStatus(undefined, observation(), 'T1');
    const failed = buildStatus(
      first,
      observation({ failure: { reason: 'ApplyFailed', message: 'Deployment/x: denied' } }),
      'T2',
    );
    expect(failed.phase).toBe('Failed');
    const byType = Object.fromEntries(failed.conditions!.map((c) => [c.type, c]));
    expect(byType['Degraded']).toMatchObject({
      status: 'True',
      reason: 'ApplyFailed',
      lastTransitionTime: 'T2',
    });
    expect(byType['Available']!.lastTransitionTime).toBe('T1');
  });

  it('keeps the last Available condition when a pass could not observe workloads', () => {
    const first = buildStatus(undefined, observation(), 'T1');
    const failure = { reason: 'ApiUnavailable', message: 'GET x: ECONNREFUSED' };
    const failed = buildStatus(first, { generation: 3, ingestReplicas: 2, failure }, 'T2');
    expect(failed.conditions![0]).toEqual(first.conditions![0]);
    expect(
      buildStatus(undefined, { generation: 1, ingestReplicas: 0, failure }, 'T1').conditions![0],
    ).toMatchObject({
      status: 'Unknown',
      reason: 'NotObserved',
    });
  });

  it('is Ready once every workload is ready', () => {
    const ready = buildStatus(
      undefined,
      observation({ workloads: [{ name: 'shop-ingest', ready: true }] }),
      'T1',
    );
    expect(ready.phase).toBe('Ready');
  });

  it('waits for the storage Job and reports one that gave up as Degraded, saying where to read why', () => {
    const job = (status: WorkloadObject['status']): WorkloadObject => ({
      kind: 'Job',
      metadata: { name: 'shop-storage-setup-0a1b2c3d', namespace: 'obs' },
      status,
    });
    const running = job({});
    const done = job({ succeeded: 1 });
    const failed = job({
      failed: 9,
      conditions: [
        {
          type: 'Failed',
          status: 'True',
          reason: 'BackoffLimitExceeded',
          message: 'Job has reached the specified backoff limit',
        },
      ],
    } as WorkloadObject['status']);
    expect([running, done, failed].map(workloadReadiness)).toEqual([
      { name: 'shop-storage-setup-0a1b2c3d', ready: false },
      { name: 'shop-storage-setup-0a1b2c3d', ready: true },
      { name: 'shop-storage-setup-0a1b2c3d', ready: false },
    ]);
    expect([running, done].map(failedJob)).toEqual([undefined, undefined]);
    const childFailure = failedJob(failed)!;
    const status = buildStatus(undefined, observation({ childFailure }), 'T1');
    expect(status.phase).toBe('Failed');
    expect(status.conditions!.find((c) => c.type === 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'StorageSetupFailed',
      message:
        'Job shop-storage-setup-0a1b2c3d failed (BackoffLimitExceeded: Job has reached the specified backoff limit); its log says why: kubectl -n obs logs job/shop-storage-setup-0a1b2c3d',
    });
  });
});

describe('sameStatus', () => {
  it('treats statuses with the same content in another key order as equal, and a changed value as different', () => {
    const a = { observedGeneration: 1, phase: 'Ready', ingestReplicas: 2 };
    expect(sameStatus(a, { ingestReplicas: 2, phase: 'Ready', observedGeneration: 1 })).toBe(true);
    expect(sameStatus(a, { ingestReplicas: 3, phase: 'Ready', observedGeneration: 1 })).toBe(false);
    expect(sameStatus(a, undefined)).toBe(false);
  });
});

describe('the Deprecated condition', () => {
  it('names every deprecated field that is set, and why it does nothing', () => {
    const fields = ['spec.cube.enabled', 'spec.images.cube'];
    const status = buildStatus(undefined, observation({ deprecatedFields: fields }), 'T1');
    expect(status.conditions!.find((c) => c.type === 'Deprecated')).toEqual({
      type: 'Deprecated',
      status: 'True',
      reason: 'DeprecatedFieldSet',
      message:
        'spec.cube.enabled, spec.images.cube ignored: Cube was removed (docs/adr/0068); its children are ' +
        'deleted and nothing replaces them; remove them from the spec',
      observedGeneration: 3,
      lastTransitionTime: 'T1',
    });
  });

  it('is gone once no deprecated field is set', () => {
    const before = buildStatus(undefined, observation({ deprecatedFields: ['spec.cube.enabled'] }), 'T1');
    const after = buildStatus(before, observation({ deprecatedFields: [] }), 'T2');
    expect(after.conditions!.map((c) => c.type)).toEqual(['Available', 'Progressing', 'Degraded']);
  });
});

describe('the StorageGrowthRefused condition', () => {
  const why = 'PersistentVolumeClaim data-shop-minio-0 stays at 20Gi (the spec asks 30Gi): forbidden';

  it('says which claim stays at which size while a growth is refused, without making the pipeline Degraded', () => {
    const status = buildStatus(undefined, observation({ growthRefused: why }), 'T1');
    expect(status.conditions!.find((c) => c.type === 'StorageGrowthRefused')).toEqual({
      type: 'StorageGrowthRefused',
      status: 'True',
      reason: 'VolumeExpansionNotAllowed',
      message: why,
      observedGeneration: 3,
      lastTransitionTime: 'T1',
    });
    expect(status.conditions!.find((c) => c.type === 'Degraded')!.status).toBe('False');
  });

  it('stays through a pass that did not try to grow (a failed one), and is gone once nothing is refused', () => {
    const refused = buildStatus(undefined, observation({ growthRefused: why }), 'T1');
    const failed = buildStatus(refused, observation(), 'T2');
    expect(failed.conditions!.find((c) => c.type === 'StorageGrowthRefused')).toMatchObject({
      message: why,
      lastTransitionTime: 'T1',
    });
    const grown = buildStatus(failed, observation({ growthRefused: '' }), 'T3');
    expect(grown.conditions!.map((c) => c.type)).toEqual(['Available', 'Progressing', 'Degraded']);
  });
});
