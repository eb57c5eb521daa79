import type { ManifestInput, RollupManifest } from './rollup-manifest.js';

/**
 * What retention does next with one raw partition past raw retention, decided from a fresh listing of the
 * partition and its manifest. Deletion is allowed only for files a published manifest lists as inputs with the
 * same key and size, and only once that manifest is marked `raw_retired` — the mark is a conditional put, so no
 * later commit can replace the generation whose inputs are being deleted (rollups never commit over it).
 */
export type RawRetentionStep =
  /** Files no published manifest covers, and every committed input still there: roll the partition up first. */
  | { action: 'rollup' }
  /** Everything listed is covered by the published manifest: mark it final before deleting anything. */
  | { action: 'retire' }
  /** Delete `covered`; `uncovered` files landed after deletion began and can never be counted exactly. */
  | { action: 'delete'; covered: string[]; uncovered: string[] }
  /** Nothing may be deleted (unpublished manifest whose inputs are partly gone). */
  | { action: 'keep'; reason: 'unpublished_inputs_gone' };

/**
 * A raw object is the same input when its key and size are: raw keys are create-only (a conditional put; ingest
 * never writes a key twice), so an etag alone says nothing about the bytes. The local store's etags carry the
 * inode and every object's changes when a data directory is copied or restored (S3 etags change when a bucket is
 * mirrored with other part sizes); identity by etag took each input of a copied store for gone, so late data was
 * never counted and no raw file was ever deleted (docs/adr/0122). The inputs digest keeps the etags: a copy
 * recomputes each hour once, from the same bytes.
 */
const inputId = (i: ManifestInput) => `${i.key}\n${i.size}`;

export function decideRawRetention(
  listed: readonly ManifestInput[],
  manifest: RollupManifest | undefined,
): RawRetentionStep {
  if (manifest === undefined) return { action: 'rollup' };
  const inputs = new Set(manifest.inputs.map(inputId));
  const present = new Set(listed.map(inputId));
  const covered = listed.filter((o) => inputs.has(inputId(o))).map((o) => o.key);
  const uncovered = listed.filter((o) => !inputs.has(inputId(o))).map((o) => o.key);
  const inputsGone = manifest.inputs.some((i) => !present.has(inputId(i)));
  if (manifest.raw_retired || (inputsGone && manifest.published)) {
    // Deletion began (or an older release deleted inputs): the generation is final; stragglers stay.
    return { action: 'delete', covered, uncovered };
  }
  if (inputsGone) return { action: 'keep', reason: 'unpublished_inputs_gone' };
  if (!manifest.published || uncovered.length > 0) return { action: 'rollup' };
  return { action: 'retire' };
}

/** A committed generation can be recomputed only from all of its inputs, and never once retention retired it. */
export function canRecompute(listed: readonly ManifestInput[], manifest: RollupManifest): boolean {
  if (manifest.raw_retired) return false;
  const present = new Set(listed.map(inputId));
  return manifest.inputs.every((i) => present.has(inputId(i)));
}
