import { pipelineObject } from './testing/pipeline-fixture.js';
import type { PipelineSpecInput } from './gravix-pipeline-spec.js';
import { startKubeTestEnv, type KubeTestEnv } from '../operator/testing/kube-test-env.js';
import { pipelinePath } from '../operator/testing/operator-fixture.js';

/** What passed the CRD before and failed later at apply or at run time, refused at admission now. */
describe('GravixPipeline admission on a real kube-apiserver', () => {
  let env: KubeTestEnv;

  beforeAll(async () => {
    env = await startKubeTestEnv();
  });

  afterAll(async () => {
    await env?.stop();
  });

  const create = (spec: PipelineSpecInput, name = 'shop') =>
    env.client.request({ method: 'POST', path: pipelinePath(), body: pipelineObject(spec, name) });

  it.each([
    ['a name with a leading digit', '1shop', 'metadata.name must be a DNS label starting with a letter'],
    ['a name with a dot', 'shop.eu', 'metadata.name must be a DNS label starting with a letter'],
    [
      'a name whose -trino-coordinator StatefulSet leaves no room for controller-revision-hash',
      'a'.repeat(35),
      'metadata.name must be at most 34 characters',
    ],
  ])('refuses %s', async (_what, name, message) => {
    await expect(create({}, name)).rejects.toThrow(message);
  });

  it('accepts a trace URL template with {traceId} and {spanId}', async () => {
    const traceUrlTemplate = 'https://grafana.example.com/explore?left={traceId}&span={spanId}';
    const created = await create({ query: { traceUrlTemplate } }, 'traced');
    expect(created).toMatchObject({ spec: { query: { traceUrlTemplate } } });
  });

  it('accepts sign-in through an in-cluster plain-HTTP provider with allowHttp, the callback from the Ingress', async () => {
    const oidc = { issuer: 'http://dex.auth.svc:5556/dex', clientId: 'gravix', allowHttp: true };
    const spec = { ingress: { enabled: true, host: 'gravix.example.com' }, query: { oidc } };
    await expect(create(spec, 'signin')).resolves.toMatchObject({ spec: { query: { oidc } } });
  });

  it('accepts the longest name every child name and label fits', async () => {
    await expect(create({}, 'a'.repeat(34))).resolves.toBeDefined();
  });

  it.each<[string, PipelineSpecInput, string]>([
    [
      'a version that is not an image tag and label value',
      { version: '1.0.0+build' },
      'spec.version: Invalid value: "string": version must be an image tag and label value',
    ],
    [
      'negative memory',
      { query: { resources: { cpu: '100m', memory: '-1Gi' } } },
      'spec.query.resources.memory: Invalid value: "string": must be a non-negative Kubernetes quantity',
    ],
    [
      'an invalid bucket name',
      { storage: { bucket: 'My_Bucket' } },
      'spec.storage.bucket: Invalid value: "string": bucket must be 3-63 lowercase letters, digits, dots or hyphens',
    ],
    [
      'minAvailable above the ingest replicas',
      { ingestion: { replicas: 2, minAvailable: 3, autoscaling: { enabled: false } } },
      'spec.ingestion: Invalid value: "object": minAvailable must be <= the ingest replicas',
    ],
    [
      'Trino memory too small for the heap and query memory derived from it',
      { trino: { coordinatorResources: { cpu: '500m', memory: '768Mi' } } },
      'spec.trino: Invalid value: "object": trino.coordinatorResources.memory must be at least 1Gi',
    ],
    [
      'a trace URL template without {traceId}',
      { query: { traceUrlTemplate: 'http://tempo:3200/trace/' } },
      'spec.query.traceUrlTemplate: Invalid value: "string": traceUrlTemplate must be an http(s) URL containing {traceId}',
    ],
    [
      'a trace URL template that is no http(s) URL',
      { query: { traceUrlTemplate: 'javascript:alert({traceId})' } },
      'spec.query.traceUrlTemplate: Invalid value: "string": traceUrlTemplate must be an http(s) URL containing {traceId}',
    ],
    [
      'a plain-HTTP OIDC issuer without allowHttp',
      {
        query: {
          oidc: {
            issuer: 'http://dex:5556/dex',
            clientId: 'g',
            redirectUrl: 'https://g.example/api/v1/auth/callback',
          },
        },
      },
      'spec.query.oidc: Invalid value: "object": oidc.issuer must be an https URL',
    ],
    [
      'an OIDC issuer that is no URL',
      {
        query: {
          oidc: { issuer: 'dex', clientId: 'g', redirectUrl: 'https://g.example/api/v1/auth/callback' },
        },
      },
      'spec.query.oidc: Invalid value: "object": oidc.issuer must be an https URL',
    ],
    [
      'sign-in without a callback URL or an Ingress host to derive it from',
      { query: { oidc: { issuer: 'https://dex.example/dex', clientId: 'g' } } },
      'spec: Invalid value: "object": query.oidc.redirectUrl is required unless the ingress is enabled with a host',
    ],
    [
      'an OIDC callback on another path',
      {
        query: {
          oidc: { issuer: 'https://dex.example/dex', clientId: 'g', redirectUrl: 'https://g.example/cb' },
        },
      },
      'spec.query.oidc.redirectUrl: Invalid value: "string": oidc.redirectUrl must be an http(s) URL whose path is /api/v1/auth/callback',
    ],
  ])('refuses %s with the rule message', async (_what, spec, message) => {
    await expect(create(spec, 'bad')).rejects.toThrow(message);
  });

  // The apiserver drops an unknown field with only a warning unless the client asks for Strict validation.
  // kubectl asks by default (--validate=strict), the operator asks on every write, and the gravix-pipeline chart
  // refuses unknown keys in its values schema; docs/install-on-kubernetes.md says so for other clients.
  it('refuses an unknown field, named, when the client asks for strict field validation', async () => {
    const body = { ...pipelineObject({}, 'typo'), spec: { retentionDay: 3, ingestion: { replica: 3 } } };
    await expect(
      env.client.request({
        method: 'POST',
        path: pipelinePath(),
        body,
        query: { fieldValidation: 'Strict' },
      }),
    ).rejects.toThrow(
      /strict decoding error: unknown field "spec.ingestion.replica", unknown field "spec.retentionDay"/,
    );
  });

  it('drops an unknown field with only a warning for a client that does not ask (why clients must)', async () => {
    const body = { ...pipelineObject({}, 'lenient'), spec: { retentionDay: 3 } };
    const created = await env.client.request<{ spec: Record<string, unknown> }>({
      method: 'POST',
      path: pipelinePath(),
      body,
    });
    expect(created.spec).not.toHaveProperty('retentionDay');
    expect(created.spec['retentionDays']).toBe(30);
  });
});
