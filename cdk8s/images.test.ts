import { InvalidPipelineError } from '../crds/gravix-pipeline.js';
import { makePipeline } from '../crds/testing/pipeline-fixture.js';
import { synthPipeline, type Manifest } from './pipeline-chart.js';

type PodSpec = { containers: { image: string }[]; imagePullSecrets?: { name: string }[] };

/** Every pod spec in the manifests: Deployments, StatefulSets and Jobs. */
function podSpecs(manifests: Manifest[]): PodSpec[] {
  return manifests.flatMap((m) => {
    const template = (m['spec'] as { template?: { spec?: PodSpec } } | undefined)?.template;
    return template?.spec ? [template.spec] : [];
  });
}

const images = (spec: Parameters<typeof makePipeline>[0]) =>
  [
    ...new Set(
      podSpecs(synthPipeline(makePipeline({ cube: { enabled: true }, ...spec }))).flatMap((p) =>
        p.containers.map((c) => c.image),
      ),
    ),
  ].sort();

// spec.cube.enabled stays set: Cube is gone (docs/adr/0068), and the deprecated field must not bring its image back.
describe('the images a pipeline runs', () => {
  it('are short Docker Hub names pinned by tag, the workers tagged with spec.version, no registry host', () => {
    expect(images({ version: '0.2.0' })).toEqual([
      'gravix/gravix-workers:0.2.0',
      'minio/minio:RELEASE.2025-04-22T22-12-26Z',
      'trinodb/trino:476',
    ]);
  });

  it('all come from spec.images.registry when it is set, the workers included', () => {
    expect(images({ version: '0.2.0', images: { registry: 'registry.internal:5000/mirror' } })).toEqual([
      'registry.internal:5000/mirror/gravix/gravix-workers:0.2.0',
      'registry.internal:5000/mirror/minio/minio:RELEASE.2025-04-22T22-12-26Z',
      'registry.internal:5000/mirror/trinodb/trino:476',
    ]);
  });

  it('take a registry of their own, so only the workers can come from a private registry', () => {
    expect(images({ version: '0.2.0', images: { workers: { registry: 'registry.internal:5000' } } })).toEqual(
      [
        'minio/minio:RELEASE.2025-04-22T22-12-26Z',
        'registry.internal:5000/gravix/gravix-workers:0.2.0',
        'trinodb/trino:476',
      ],
    );
  });

  it('take a repository or tag override per image', () => {
    expect(
      images({
        version: 'e2e',
        images: { registry: 'r.example', workers: { repository: 'team/gravix' }, trino: { tag: '477' } },
      }),
    ).toEqual(expect.arrayContaining(['r.example/team/gravix:e2e', 'r.example/trinodb/trino:477']));
  });

  it('pull with spec.images.pullSecrets in every pod', () => {
    const pods = podSpecs(
      synthPipeline(
        makePipeline({ cube: { enabled: true }, images: { pullSecrets: [{ name: 'regcred' }] } }),
      ),
    );
    expect(pods.length).toBeGreaterThanOrEqual(7);
    expect(pods.map((p) => p.imagePullSecrets)).toEqual(pods.map(() => [{ name: 'regcred' }]));
  });

  it('reject a registry written as a URL, naming the field, the value and the rule', () => {
    expect(() => makePipeline({ images: { registry: 'https://r.example/' } })).toThrow(
      new InvalidPipelineError([
        'spec.images.registry: must be a registry host[:port][/path] without scheme or trailing slash (got "https://r.example/")',
      ]),
    );
  });
});
