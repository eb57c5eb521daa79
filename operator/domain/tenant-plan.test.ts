import { TENANT_API_VERSION, TENANT_KIND } from '../../crds/gravix-tenant-crd.js';
import {
  planOrphanedTenants,
  planTenants,
  tenantActor,
  tenantPipeline,
  type TenantObject,
} from './tenant-plan.js';

const tenant = (name: string, spec: Record<string, unknown> = {}, over: Partial<TenantObject> = {}) =>
  ({
    apiVersion: TENANT_API_VERSION,
    kind: TENANT_KIND,
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: 1 },
    spec: { pipelineRef: { name: 'shop' }, ...spec },
    ...over,
  }) as TenantObject;

describe('a pipeline’s tenants plan', () => {
  it('publishes every valid tenant in id order with its author, and marks it Accepted at its generation', () => {
    const plan = planTenants([
      tenant('zeta', { quotas: { eventsPerSecond: 50 } }),
      tenant(
        'acme',
        { displayName: 'Acme' },
        {
          metadata: {
            name: 'acme',
            namespace: 'default',
            uid: 'u1',
            generation: 3,
            managedFields: [
              {
                manager: 'kubectl-client-side-apply',
                operation: 'Update',
                time: '2026-12-03T04:00:00Z',
                fieldsV1: { 'f:spec': {} },
              },
            ],
          },
        },
      ),
    ]);
    expect(plan.settings.map((s) => s.tenant)).toEqual(['acme', 'zeta']);
    expect(plan.settings[1]).toEqual({
      tenant: 'zeta',
      quotas: { eventsPerSecond: 50 },
      roles: { viewer: [], operator: [], admin: [] },
    });
    expect(plan.authors).toEqual({
      acme: { uid: 'u1', generation: 3, actor: 'manager:kubectl-client-side-apply' },
      zeta: { uid: 'uid-zeta', generation: 1, actor: 'unknown' },
    });
    expect(plan.statusWrites.map((w) => [w.tenant.metadata.name, w.status])).toEqual([
      [
        'acme',
        {
          observedGeneration: 3,
          phase: 'Accepted',
          reason: 'Published',
          published: true,
          message: "in the pipeline's tenants file",
        },
      ],
      [
        'zeta',
        {
          observedGeneration: 1,
          phase: 'Accepted',
          reason: 'Published',
          published: true,
          message: "in the pipeline's tenants file",
        },
      ],
    ]);
  });

  it('leaves out a tenant whose spec the schema refuses, Rejected with InvalidSpec naming the field and value', () => {
    const plan = planTenants([tenant('acme', { quotas: { eventsPerSecond: 0 } })]);
    expect(plan.settings).toEqual([]);
    expect(plan.statusWrites[0]!.status).toEqual({
      observedGeneration: 1,
      phase: 'Rejected',
      reason: 'InvalidSpec',
      published: false,
      message: 'invalid tenant: spec.quotas.eventsPerSecond: Too small: expected number to be >=1 (got 0)',
    });
  });

  describe('a tenant whose spec turns invalid (docs/adr/0121)', () => {
    const published = {
      settings: [
        { tenant: 'acme', quotas: { eventsPerSecond: 100 }, roles: { viewer: [], operator: [], admin: [] } },
      ],
      authors: { acme: { uid: 'uid-acme', generation: 1, actor: 'manager:kubectl' } },
    };
    const broken = tenant(
      'acme',
      { quotas: { eventsPerSecond: 0 } },
      { metadata: { name: 'acme', namespace: 'default', uid: 'uid-acme', generation: 2 } },
    );

    it('keeps its last published settings and author (no tombstone, no quota lifted), Rejected InvalidSpec', () => {
      const plan = planTenants([broken], published);
      expect(plan.settings).toEqual(published.settings);
      expect(plan.authors).toEqual(published.authors);
      expect(plan.statusWrites[0]!.status).toEqual({
        observedGeneration: 2,
        phase: 'Rejected',
        reason: 'InvalidSpec',
        published: true,
        message:
          "the last valid settings (generation 1) stay in the pipeline's tenants file; invalid tenant: " +
          'spec.quotas.eventsPerSecond: Too small: expected number to be >=1 (got 0)',
      });
    });

    it('keeps nothing for a tenant created again under the same name (another uid) or never published', () => {
      const recreated = { ...broken, metadata: { ...broken.metadata, uid: 'uid-other' } };
      expect(planTenants([recreated], published).settings).toEqual([]);
      expect(planTenants([broken], { settings: [], authors: {} }).settings).toEqual([]);
      expect(planTenants([broken]).statusWrites[0]!.status.published).toBe(false);
    });

    it('publishes the fixed spec once it is valid again', () => {
      const fixed = tenant(
        'acme',
        { quotas: { eventsPerSecond: 200 } },
        { metadata: { name: 'acme', namespace: 'default', uid: 'uid-acme', generation: 3 } },
      );
      const plan = planTenants([fixed], published);
      expect(plan.settings).toMatchObject([{ tenant: 'acme', quotas: { eventsPerSecond: 200 } }]);
      expect(plan.statusWrites[0]!.status).toMatchObject({ phase: 'Accepted', observedGeneration: 3 });
    });
  });

  it('writes no status that is already there (a steady tenant costs no request)', () => {
    const accepted = {
      observedGeneration: 1,
      phase: 'Accepted' as const,
      reason: 'Published',
      published: true,
      message: "in the pipeline's tenants file",
    };
    expect(planTenants([tenant('acme', {}, { status: accepted })]).statusWrites).toEqual([]);
    expect(
      planTenants([tenant('acme', {}, { status: { ...accepted, observedGeneration: 0 } })]).statusWrites,
    ).toHaveLength(1);
  });

  it('rejects the tenants of a pipeline that does not exist with PipelineNotFound, once', () => {
    const [write] = planOrphanedTenants([tenant('acme')], 'shop');
    expect(write!.status).toEqual({
      observedGeneration: 1,
      phase: 'Rejected',
      reason: 'PipelineNotFound',
      published: false,
      message: 'GravixPipeline shop does not exist in this namespace',
    });
    expect(planOrphanedTenants([tenant('acme', {}, { status: write!.status })], 'shop')).toEqual([]);
  });
});

describe('who changed a tenant', () => {
  it('is the field manager of the newest spec write; status writes and entries without spec do not count', () => {
    expect(
      tenantActor([
        { manager: 'helm', operation: 'Apply', time: '2026-12-03T01:00:00Z', fieldsV1: { 'f:spec': {} } },
        { manager: 'argocd', operation: 'Apply', time: '2026-12-03T02:00:00Z', fieldsV1: { 'f:spec': {} } },
        {
          manager: 'gravix-operator',
          operation: 'Update',
          subresource: 'status',
          time: '2026-12-03T03:00:00Z',
          fieldsV1: { 'f:status': {} },
        },
        {
          manager: 'labeller',
          operation: 'Update',
          time: '2026-12-03T03:30:00Z',
          fieldsV1: { 'f:metadata': {} },
        },
      ]),
    ).toBe('manager:argocd');
  });

  it('is unknown when the apiserver kept no managed fields', () => {
    expect(tenantActor(undefined)).toBe('unknown');
    expect(tenantActor([])).toBe('unknown');
  });

  it('reads the pipeline a tenant names, and nothing from a tenant that names none', () => {
    expect(tenantPipeline(tenant('acme'))).toBe('shop');
    expect(tenantPipeline({ spec: {} })).toBeUndefined();
  });
});
