import type { GravixPipeline } from '../crds/gravix-pipeline.js';

/**
 * Every image a pipeline runs, by short name (Docker Hub style): `spec.images.registry` puts them all behind one
 * registry and `spec.images.<name>` overrides the registry, repository or tag of one. Third-party images are pinned by tag so a
 * reconcile never rolls pods because a registry moved `latest`; their tags move only with a Gravix release. The
 * workers tag is spec.version. Never a registry host here: where images come from is the user's choice.
 */
export const DEFAULT_IMAGES = {
  workers: { repository: 'gravix/gravix-workers' },
  trino: { repository: 'trinodb/trino', tag: '476' },
  minio: { repository: 'minio/minio', tag: 'RELEASE.2025-04-22T22-12-26Z' },
} as const;

export type ImageName = keyof typeof DEFAULT_IMAGES;

/** The image reference a pipeline's pods run for `name` (pure: spec in, reference out). */
export function imageRef(pipeline: GravixPipeline, name: ImageName): string {
  const { images, version } = pipeline.spec;
  const override = images[name] as { registry?: string; repository?: string; tag?: string } | undefined;
  const fallback = DEFAULT_IMAGES[name] as { repository: string; tag?: string };
  const repository = override?.repository ?? fallback.repository;
  const tag = name === 'workers' ? version : (override?.tag ?? fallback.tag!);
  const registry = override?.registry ?? images.registry;
  return `${registry ? `${registry}/` : ''}${repository}:${tag}`;
}

/** imagePullSecrets for every pod of the pipeline (spec.images.pullSecrets). */
export function imagePullSecrets(pipeline: GravixPipeline): { imagePullSecrets?: { name: string }[] } {
  const secrets = pipeline.spec.images.pullSecrets;
  return secrets && secrets.length > 0 ? { imagePullSecrets: secrets.map((s) => ({ name: s.name })) } : {};
}
