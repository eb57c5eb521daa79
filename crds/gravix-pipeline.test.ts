import { readFileSync } from 'node:fs';
import { buildPipelineCrd } from './gravix-pipeline-crd.js';
import { InvalidPipelineError, parsePipeline } from './gravix-pipeline.js';
import { makePipeline, pipelineObject } from './testing/pipeline-fixture.js';
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

describe('GravixPipeline admission rules in gravix synth', () => {
  it('refuses sign-in settings the query server would refuse, with the CEL rule messages', () => {
    expect(() =>
      makePipeline({
        query: {
          oidc: {
            issuer: 'http://dex:5556',
            clientId: 'g',
            redirectUrl: 'https://g.example/api/v1/auth/callback',
          },
        },
      }),
    ).toThrow(
      'spec.query.oidc.issuer: oidc.issuer must be an https URL (http only with oidc.allowHttp: tokens would cross ' +
        'the network unencrypted) (got "http://dex:5556")',
    );
    expect(() => makePipeline({ query: { oidc: { issuer: 'https://dex.example', clientId: 'g' } } })).toThrow(
      'spec.query.oidc.redirectUrl: query.oidc.redirectUrl is required unless the ingress is enabled with a host (missing)',
    );
    expect(() =>
      makePipeline({
        query: {
          oidc: { issuer: 'https://dex.example', clientId: 'g', redirectUrl: 'https://g.example/callback' },
        },
      }),
    ).toThrow(
      'spec.query.oidc.redirectUrl: oidc.redirectUrl must be an http(s) URL whose path is /api/v1/auth/callback',
    );
  });

  it.each([
    ['without {traceId}', 'http://tempo:3200/trace/'],
    ['with another scheme', 'javascript:alert({traceId})'],
  ])('refuses a trace URL template %s with the CEL rule message', (_what, traceUrlTemplate) => {
    expect(() => makePipeline({ query: { traceUrlTemplate } })).toThrow(
      `invalid GravixPipeline: spec.query.traceUrlTemplate: traceUrlTemplate must be an http(s) URL containing ` +
        `{traceId} (got ${JSON.stringify(traceUrlTemplate)})`,
    );
  });

  it('refuses what the apiserver refuses, with the CEL rule messages', () => {
    const bad = pipelineObject(
      {
        version: '1.0.0+build',
        storage: { bucket: 'My_Bucket' },
        ingestion: { replicas: 2, minAvailable: 3, autoscaling: { enabled: false } },
        query: { resources: { cpu: '100m', memory: '-1Gi' } },
      },
      '1shop',
    );
    expect(() => parsePipeline(bad)).toThrow(
      'invalid GravixPipeline: metadata.name: metadata.name must be a DNS label starting with a letter ' +
        '(lowercase letters, digits, hyphens) (got "1shop"); ' +
        'spec.version: version must be an image tag and label value (letters, digits, _ . -, starting and ending ' +
        'with a letter or digit) (got "1.0.0+build"); ' +
        'spec.ingestion.minAvailable: minAvailable must be <= the ingest replicas (autoscaling.minReplicas when ' +
        'autoscaling is enabled) (got 3); ' +
        'spec.query.resources.memory: must be a non-negative Kubernetes quantity such as 500m or 2Gi (got "-1Gi"); ' +
        'spec.storage.bucket: bucket must be 3-63 lowercase letters, digits, dots or hyphens, starting and ending ' +
        'with a letter or digit (got "My_Bucket")',
    );
  });
});
