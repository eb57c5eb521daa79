import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { API_VERSION, KIND } from '../crds/gravix-pipeline-crd.js';
import { makePipeline, pipelineObject } from '../crds/testing/pipeline-fixture.js';
import { parsePipeline } from '../crds/gravix-pipeline.js';
import { KubeApiError } from '../operator/adapters/kube-errors.js';
import { resourcePath } from '../operator/adapters/resource-paths.js';
import { startKubeTestEnv, type KubeTestEnv } from '../operator/testing/kube-test-env.js';
import { synthPipeline } from './pipeline-chart.js';

const pipelinePath = (name?: string) =>
  resourcePath({ apiVersion: API_VERSION, kind: KIND, namespace: 'default', name });

describe('GravixPipeline CRD and synthesized manifests on a real kube-apiserver', () => {
  let env: KubeTestEnv;

  beforeAll(async () => {
    env = await startKubeTestEnv({ prometheusOperator: true });
  });

  afterAll(async () => {
    await env?.stop();
  });

  const create = (body: unknown) => env.client.request({ method: 'POST', path: pipelinePath(), body });
  const rejection = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(KubeApiError);
    return error as KubeApiError;
  };

  it('stores an empty spec with the same defaults the TypeScript types apply', async () => {
    const stored = await create(pipelineObject({}, 'defaults'));
    expect(parsePipeline(stored).spec).toEqual(makePipeline({}, 'defaults').spec);
    expect(stored.spec).toEqual(makePipeline({}, 'defaults').spec);
  });

  it('rejects external storage without a secretRef with the CEL message', async () => {
    const error = await rejection(create(pipelineObject({ storage: { mode: 'external' } }, 'ext')));
    expect(error.status).toBe(422);
    expect(error.detail).toContain(
      'spec.storage: Invalid value: "object": external.secretRef is required when mode is external',
    );
  });

  it('rejects an HPA whose minReplicas exceeds maxReplicas with the CEL message', async () => {
    const spec = { ingestion: { autoscaling: { minReplicas: 5, maxReplicas: 3 } } };
    const error = await rejection(create(pipelineObject(spec, 'hpa')));
    expect(error.detail).toContain(
      'spec.ingestion.autoscaling: Invalid value: "object": minReplicas must be <= maxReplicas',
    );
  });

  it('rejects a name longer than 34 characters with the CEL message', async () => {
    const error = await rejection(create(pipelineObject({}, 'x'.repeat(35))));
    expect(error.detail).toContain('metadata.name must be at most 34 characters');
  });

  it('rejects a malformed resource quantity at admission', async () => {
    const spec = { ingestion: { resources: { cpu: 'lots', memory: '1Gi' } } };
    const error = await rejection(create(pipelineObject(spec, 'quantity')));
    expect(error.detail).toContain(
      'spec.ingestion.resources.cpu: Invalid value: "lots": spec.ingestion.resources.cpu in body should match',
    );
  });

  it('rejects changing storage.mode of an existing pipeline as immutable', async () => {
    await create(pipelineObject({}, 'immutable'));
    const patch = {
      ...pipelineObject(
        { storage: { mode: 'external', external: { secretRef: { name: 's3' } } } },
        'immutable',
      ),
    };
    const error = await rejection(env.client.apply(pipelinePath('immutable'), patch, 'gravix-tests'));
    expect(error.detail).toContain('spec.storage.mode: Invalid value: "string": storage.mode is immutable');
  });

  it('accepts every object synthesized for a fully enabled pipeline in a server-side dry-run', async () => {
    const pipeline = parsePipeline(
      parse(readFileSync(new URL('./testing/pipeline-full.yaml', import.meta.url), 'utf8')),
    );
    const manifests = synthPipeline(pipeline);
    expect(manifests.length).toBeGreaterThan(20);
    const failures: string[] = [];
    for (const manifest of manifests) {
      const path = resourcePath({
        ...manifest,
        namespace: manifest.metadata.namespace,
        name: manifest.metadata.name,
      });
      await env.client
        .apply(path, manifest, 'gravix-tests', true)
        .catch((e: Error) => failures.push(e.message));
    }
    expect(failures).toEqual([]);
  });
});
