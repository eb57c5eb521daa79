import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Bumped whenever the meaning of the output changes (schema, sketch mapping, dedupe rule); it is part of the
 * inputs digest, so a new version recomputes every partition whose raw data is still retained. 3: the service-map
 * edge tables (docs/adr/0085), so raw edges an older rollup counted as invalid lines are counted.
 */
export const rollupVersion = 3;

const inputSchema = z.object({ key: z.string(), etag: z.string(), size: z.number().int().nonnegative() });
const outputSchema = z.object({
  key: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  rows: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
});

export const rollupManifestSchema = z.object({
  format: z.literal('gravix.rollup-manifest/v1'),
  tenant: z.string(),
  date: z.string(),
  hour: z.string(),
  /** 1 for the first commit, +1 for every recompute (late data, new rollup version). */
  generation: z.number().int().positive(),
  rollup_version: z.number().int().positive(),
  inputs_digest: z.string(),
  inputs: z.array(inputSchema),
  outputs: z.object({
    request_metrics_minute: outputSchema,
    /** The pre-merged tables are absent in manifests of rollup version 1, which predates them. */
    request_metrics_hour: outputSchema.optional(),
    service_metrics_minute: outputSchema.optional(),
    service_metrics_hour: outputSchema.optional(),
    /** Absent in manifests before rollup version 3, which predates the service map. */
    service_edges_minute: outputSchema.optional(),
    service_edges_hour: outputSchema.optional(),
    service_events: outputSchema,
    /** The partition's edge carry (docs/adr/0096); absent before it existed and in partitions rolled up before. */
    edge_carry: outputSchema.optional(),
  }),
  /**
   * What the next hour's carried heads named of this partition's waiting edges (docs/adr/0096): the etag of the
   * next hour's published manifest they were read under and the digest of the (edge, service) pairs found. A next
   * hour whose manifest changed since is read again; the partition is recomputed only when the pairs differ.
   */
  edge_next: z.object({ manifest_etag: z.string(), digest: z.string() }).optional(),
  /**
   * What the previous hour's carried tails named of this partition's early edges (docs/adr/0128): the etag of the
   * previous hour's carry object they were read from (not of its manifest: the manifests of two neighbours that
   * recorded each other's etags would rewrite each other on every pass) and the digest of the pairs found.
   */
  edge_prev: z.object({ carry_etag: z.string(), digest: z.string() }).optional(),
  /**
   * Per minute of the hour, a digest of its request minute rows (domain/minute-digests.ts, docs/adr/0132): written
   * by commits into an hour still open, which is the only kind an open-hour tile is built from; absent in sealed
   * commits and older manifests, whose tiles are keyed on the manifest's etag instead.
   */
  minute_digests: z.array(z.string()).length(60).optional(),
  /** True once the data files at outputs[*].key hold this generation's bytes. */
  published: z.boolean(),
  /** Whether the partition was closed by the watermark at commit time (false = provisional, still filling). */
  sealed: z.boolean(),
  /** Wall-clock time of the commit put (RFC 3339); the data files are published right after it. */
  committed_at: z.string(),
  /**
   * Set (with a conditional put) when raw retention starts deleting this generation's inputs: the generation is
   * final from then on; no rollup commits over it. Absent = false.
   */
  raw_retired: z.boolean().optional(),
  stats: z.object({
    lines: z.number().int().nonnegative(),
    duplicates: z.number().int().nonnegative(),
    invalid: z.number().int().nonnegative(),
    facts: z.number().int().nonnegative(),
    events: z.number().int().nonnegative(),
    /** Newest fact time (ms) this generation counts; absent when it has no facts (and in older manifests). */
    newest_event_ms: z.number().optional(),
    /**
     * Service-map edges (docs/adr/0085): distinct CLIENT spans, duplicates, callees named by matching a SERVER span
     * and callees left `:unresolved`. Absent when the partition had no edges (and before rollup version 3).
     */
    edges: z
      .object({
        edges: z.number().int().nonnegative(),
        duplicates: z.number().int().nonnegative(),
        matched: z.number().int().nonnegative(),
        unresolved: z.number().int().nonnegative(),
        /** Unmatched edges near the hour's end handed to the next hour, and how many of them it named. */
        waiting: z.number().int().nonnegative().optional(),
        next_matched: z.number().int().nonnegative().optional(),
        /** Unmatched edges near the hour's start offered to the previous hour, and how many of them it named. */
        early: z.number().int().nonnegative().optional(),
        prev_matched: z.number().int().nonnegative().optional(),
      })
      .optional(),
  }),
});

export type RollupManifest = z.infer<typeof rollupManifestSchema>;
export type ManifestInput = z.infer<typeof inputSchema>;
export type ManifestOutput = z.infer<typeof outputSchema>;

export class InvalidManifestError extends Error {
  readonly code = 'INVALID_MANIFEST';
}

/** Inputs sorted by key so the digest does not depend on listing order. */
export function buildInputsDigest(inputs: readonly ManifestInput[]): string {
  const sorted = [...inputs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const canonical = JSON.stringify([rollupVersion, sorted.map((i) => [i.key, i.etag, i.size])]);
  return createHash('sha256').update(canonical).digest('hex');
}

export function parseRollupManifest(bytes: Uint8Array, key: string): RollupManifest {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new InvalidManifestError(`manifest '${key}' is not JSON`, { cause: error });
  }
  const parsed = rollupManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidManifestError(
      `manifest '${key}' field '${issue?.path.join('.') ?? ''}': ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

export function encodeRollupManifest(manifest: RollupManifest): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`);
}
