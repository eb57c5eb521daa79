import { loadIngestConfig } from '../workers/ingest/config.js';
import { loadQueryConfig } from '../workers/query/config.js';
import { loadRollupConfig } from '../workers/rollup/config.js';
import { makePipeline } from '../crds/pipeline-fixture.js';
import { synthPipeline, type Manifest } from './pipeline-chart.js';

type Container = { args: string[]; env?: { name: string; valueFrom?: unknown }[] };

/** The environment a container would see: the ConfigMap via envFrom plus its Secret-backed variables. */
function containerEnv(manifests: Manifest[], container: Container): Record<string, string> {
  const config = manifests.find((m) => m.metadata.name === 'shop-config') as unknown as {
    data: Record<string, string>;
  };
  const secrets = Object.fromEntries(
    (container.env ?? []).map((e) => [e.name, `secret-${e.name.toLowerCase()}`]),
  );
  return { ...config.data, ...secrets };
}

function container(manifests: Manifest[], kind: string, name: string): Container {
  const m = manifests.find((o) => o.kind === kind && o.metadata.name === name) as unknown as {
    spec: {
      template?: { spec: { containers: Container[] } };
      jobTemplate?: { spec: { template: { spec: { containers: Container[] } } } };
    };
  };
  const pod = m.spec.template ?? m.spec.jobTemplate!.spec.template;
  return pod.spec.containers[0]!;
}

describe('synthesized worker pods against the workers config schemas', () => {
  const manifests = synthPipeline(makePipeline(), { generate: () => 'fixed' });

  it('gives the ingestion pod an environment loadIngestConfig accepts', () => {
    const config = loadIngestConfig(
      containerEnv(manifests, container(manifests, 'Deployment', 'shop-ingest')),
    );
    expect(config.GRAVIX_INGEST_PORT).toBe(8080);
    expect(config.store).toMatchObject({ GRAVIX_STORE: 's3', GRAVIX_S3_BUCKET: 'gravix' });
  });

  it('gives the query pod an environment loadQueryConfig accepts, on Trino', () => {
    const config = loadQueryConfig(containerEnv(manifests, container(manifests, 'Deployment', 'shop-query')));
    expect(config).toMatchObject({
      GRAVIX_QUERY_ENGINE: 'trino',
      GRAVIX_TRINO_URL: 'http://shop-trino:8080',
    });
  });

  it('gives the rollup CronJob an environment and arguments loadRollupConfig accepts', () => {
    const rollup = container(manifests, 'CronJob', 'shop-rollup');
    const config = loadRollupConfig(containerEnv(manifests, rollup), rollup.args.slice(1));
    expect(config).toMatchObject({ mode: { kind: 'once' } });
  });
});
