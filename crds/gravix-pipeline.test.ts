import { readFileSync } from 'node:fs';
import { buildPipelineCrd } from './gravix-pipeline-crd.js';
import { InvalidPipelineError, parsePipeline } from './gravix-pipeline.js';
import { makePipeline, pipelineObject } from './pipeline-fixture.js';
import { CRD_YAML_PATH, renderCrdYaml } from './write-crd.js';

describe('GravixPipeline schema', () => {
  it('fills every default the CRD declares when the spec is empty', () => {
    const { spec } = makePipeline();
    expect(spec.storage).toEqual({ mode: 'minio', bucket: 'gravix', minio: { size: '20Gi' } });
    expect(spec.ingestion.autoscaling).toEqual({
      enabled: true,
      minReplicas: 2,
      maxReplicas: 10,
      targetCPUUtilizationPercentage: 70,
    });
    expect(spec.rollup.intervalSeconds).toBe(30);
    expect(spec.cube.enabled).toBe(false);
  });

  it('rejects external storage without a secretRef with the CEL rule message', () => {
    expect(() => makePipeline({ storage: { mode: 'external' } })).toThrow(
      new InvalidPipelineError([
        'spec.storage.external.secretRef: external.secretRef is required when mode is external (missing)',
      ]),
    );
  });

  it('reports every invalid field at once, naming the field and the value', () => {
    const bad = pipelineObject({
      ingestion: { autoscaling: { minReplicas: 5, maxReplicas: 3 } },
      ingress: { enabled: true },
    });
    expect(() => parsePipeline(bad)).toThrow(
      'invalid GravixPipeline: spec.ingestion.autoscaling.minReplicas: minReplicas must be <= maxReplicas (got 5); ' +
        'spec.ingress.host: host is required when ingress is enabled (missing)',
    );
  });

  it('declares the CEL rules, status subresource and printer columns in the CRD', () => {
    const text = JSON.stringify(buildPipelineCrd());
    expect(text).toContain('"rule":"self == oldSelf","message":"storage.mode is immutable"');
    expect(text).toContain('"rule":"self.minReplicas <= self.maxReplicas"');
    expect(text).toContain('"subresources":{"status":{}}');
    for (const column of ['Ready', 'Phase', 'Ingest', 'Age']) expect(text).toContain(`"name":"${column}"`);
  });

  it('keeps the generated CRD YAML in sync with the schema (regenerate: node dist/crds/write-crd.js)', () => {
    expect(readFileSync(CRD_YAML_PATH, 'utf8')).toBe(renderCrdYaml());
  });
});
