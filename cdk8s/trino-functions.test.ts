import { makePipeline } from '../crds/testing/pipeline-fixture.js';
import { synthPipeline, type Manifest } from './pipeline-chart.js';
import { GRAVIX_PLUGIN_DIR, TRINO_HOME, trinoFunctionsFiles } from './trino-functions.js';

interface PodSpec {
  initContainers?: {
    name: string;
    image: string;
    args: string[];
    volumeMounts: { name: string; mountPath: string }[];
  }[];
  containers: { name: string; volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[] }[];
  volumes: { name: string; configMap?: { name: string; items: { key: string; path: string }[] } }[];
}

const manifests = (spec: Parameters<typeof makePipeline>[0] = {}) =>
  synthPipeline(makePipeline(spec), { prometheusOperator: false }) as Manifest[];

const podOf = (all: Manifest[], name: string) =>
  (
    all.find((m) => m.kind === 'StatefulSet' && m.metadata.name === name) as unknown as {
      spec: { template: { spec: PodSpec } };
    }
  ).spec.template.spec;

describe("Gravix's Trino functions on the Trino pods (docs/adr/0146)", () => {
  it('ship every file build.sh needs in one ConfigMap, each mounted where build.sh looks for it', () => {
    const all = manifests();
    const configMap = all.find(
      (m) => m.kind === 'ConfigMap' && m.metadata.name === 'shop-trino-functions',
    ) as (Manifest & { data: Record<string, string> }) | undefined;
    const files = trinoFunctionsFiles();
    expect(files.map((f) => f.path)).toEqual(
      expect.arrayContaining([
        'build.sh',
        'resources/META-INF/services/io.trino.spi.Plugin',
        'src/dev/gravix/trino/MergeHistogramsAggregation.java',
      ]),
    );
    expect(Object.keys(configMap!.data).sort()).toEqual(files.map((f) => f.key).sort());
    for (const key of Object.keys(configMap!.data)) expect(key).toMatch(/^[-._a-zA-Z0-9]+$/);
    const pod = podOf(all, 'shop-trino-coordinator');
    const sources = pod.volumes.find((v) => v.name === 'functions-src')!.configMap!;
    expect(sources.name).toBe('shop-trino-functions');
    expect(sources.items).toEqual(files.map((f) => ({ key: f.key, path: f.path })));
  });

  it('are built by an init container of the pod’s own Trino image into the plugin directory Trino reads', () => {
    const all = manifests({ trino: { workers: 1 } });
    for (const name of ['shop-trino-coordinator', 'shop-trino-worker']) {
      const pod = podOf(all, name);
      const trino = pod.containers.find((c) => c.name === 'trino')!;
      const [init] = pod.initContainers!;
      expect(init!.image).toBe((trino as unknown as { image: string }).image);
      expect(init!.args.join(' ')).toContain(`build.sh ${TRINO_HOME} ${GRAVIX_PLUGIN_DIR}`);
      expect(init!.volumeMounts).toEqual(
        expect.arrayContaining([{ name: 'functions', mountPath: GRAVIX_PLUGIN_DIR }]),
      );
      expect(trino.volumeMounts).toEqual(
        expect.arrayContaining([{ name: 'functions', mountPath: GRAVIX_PLUGIN_DIR, readOnly: true }]),
      );
    }
  });
});
