import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parsePipeline } from '../../crds/gravix-pipeline.js';
import { makePipeline } from '../../crds/testing/pipeline-fixture.js';
import type { PipelineSpecInput } from '../../crds/gravix-pipeline-spec.js';
import { resourcePath } from '../adapters/resource-paths.js';
import { buildDesiredState } from './desired-state.js';
import {
  KIND_REGISTRY,
  prunedKinds,
  rbacRules,
  registeredKind,
  UnknownKindError,
  wakesPipeline,
  watchedChildKinds,
} from './kind-registry.js';

const full = parsePipeline(
  parse(readFileSync(new URL('../../cdk8s/testing/pipeline-full.yaml', import.meta.url), 'utf8')),
);
const variants: PipelineSpecInput[] = [
  {},
  { storage: { mode: 'external', external: { secretRef: { name: 's3' } } } },
  { ingestion: { autoscaling: { enabled: true } } },
  {
    alerts: {
      enabled: true,
      channels: [{ name: 'team', type: 'slack', urlSecretRef: { name: 'hooks', key: 'slack' } }],
    },
  },
];
const pipelines = [full, ...variants.map((spec) => makePipeline(spec))];
const generate = () => 'x'.repeat(32);

describe('operator kind registry', () => {
  it('knows every kind synthPipeline emits, with the write mode the reconciler uses for it', () => {
    for (const pipeline of pipelines) {
      const desired = buildDesiredState(pipeline, { generate, prometheusOperator: true });
      for (const m of desired.applied)
        expect([m.kind, registeredKind(m.apiVersion, m.kind).write]).toEqual([m.kind, 'apply']);
      for (const m of desired.createOnly)
        expect([m.kind, registeredKind(m.apiVersion, m.kind).write]).toEqual([m.kind, 'create-only']);
    }
  });

  it('names a kind it lacks instead of building a wrong path', () => {
    expect(() => resourcePath({ apiVersion: 'v1', kind: 'Node', namespace: 'ns' })).toThrow(
      new UnknownKindError('kind Node (apiVersion v1) is not in the kind registry'),
    );
    expect(() => resourcePath({ apiVersion: 'apps/v2', kind: 'Deployment' })).toThrow(UnknownKindError);
  });

  it('builds core and group paths from the registered plural', () => {
    expect(resourcePath({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name: 'a' })).toBe(
      '/api/v1/namespaces/ns/configmaps/a',
    );
    expect(resourcePath({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', namespace: 'ns' })).toBe(
      '/apis/networking.k8s.io/v1/namespaces/ns/ingresses',
    );
  });

  it('watches every child kind into the cache, and prunes only what it applied or used to', () => {
    expect(watchedChildKinds().map((k) => k.kind)).toEqual([
      'ConfigMap',
      'Service',
      'Secret',
      'Deployment',
      'StatefulSet',
      'CronJob',
      'Job',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'Ingress',
      'NetworkPolicy',
      'ServiceAccount',
      'Role',
      'RoleBinding',
      'ServiceMonitor',
      'PrometheusRule',
      'PersistentVolumeClaim',
      'Pod',
    ]);
    expect(prunedKinds(true).map((k) => k.kind)).not.toContain('Secret');
    expect(prunedKinds(true).map((k) => k.kind)).toContain('CronJob');
    expect(prunedKinds(false).map((k) => k.kind)).not.toContain('ServiceMonitor');
  });

  it('derives least-privilege RBAC from the write modes: no update on Secrets, no create on CronJobs, Pods read only', () => {
    const verbs = (resource: string) => rbacRules().find((r) => r.resources[0] === resource)?.verbs;
    // patch: adopting one a deleted pipeline of the same name left; delete: one a release retired (Cube's).
    expect(verbs('secrets')).toEqual(['get', 'list', 'watch', 'create', 'patch', 'delete']);
    expect(verbs('pods')).toEqual(['list', 'watch']);
    expect(verbs('persistentvolumeclaims')).toEqual(['get', 'list', 'watch', 'patch', 'delete']);
    expect(verbs('cronjobs')).toEqual(['get', 'list', 'watch', 'delete']);
    expect(verbs('gravixpipelines')).toEqual(['get', 'list', 'watch']);
    expect(verbs('gravixpipelines/status')).toEqual(['get', 'patch']);
    // Tenants are users' objects: read, and only their status written.
    expect(verbs('gravixtenants')).toEqual(['get', 'list', 'watch']);
    expect(verbs('gravixtenants/status')).toEqual(['get', 'patch']);
    expect(rbacRules().some((r) => r.resources[0] === 'gravixtenants/finalizers')).toBe(false);
    // The alert worker's rules last: held only so the operator may grant them to the worker's Role.
    expect(rbacRules()).toEqual([
      ...rbacRules().slice(0, KIND_REGISTRY.length + 3),
      { apiGroups: ['gravix.dev'], resources: ['gravixalertrules'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['gravix.dev'], resources: ['gravixalertrules/status'], verbs: ['get', 'patch'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
    ]);
  });

  it('wakes a pass on every change of what it writes, on claims that come or go, and on pods that go', () => {
    const kind = (name: string) => KIND_REGISTRY.find((k) => k.kind === name)!;
    const wakes = (name: string) =>
      (['ADDED', 'MODIFIED', 'DELETED'] as const).filter((e) => wakesPipeline(kind(name), e));
    expect(wakes('StatefulSet')).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(wakes('Secret')).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(wakes('PersistentVolumeClaim')).toEqual(['ADDED', 'DELETED']);
    expect(wakes('Pod')).toEqual(['DELETED']);
  });
});
