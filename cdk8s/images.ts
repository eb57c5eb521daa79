/**
 * Every image is pinned by tag so a reconcile never rolls pods because a registry moved `latest`.
 * The workers tag follows spec.version; the third-party tags move only with a Gravix release.
 */
export const TRINO_IMAGE = 'trinodb/trino:476';
export const MINIO_IMAGE = 'minio/minio:RELEASE.2025-04-22T22-12-26Z';
export const CUBE_IMAGE = 'cubejs/cube:v1.3.0';

export function workersImage(version: string): string {
  return `ghcr.io/gravix/gravix-workers:${version}`;
}
