import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import type { EdgeCarry } from '../domain/edge-carry.js';

/** A stored edge carry that does not parse: the partition that reads it keeps its waiting edges unresolved. */
export class InvalidEdgeCarryError extends Error {
  readonly code = 'INVALID_EDGE_CARRY';
}

const pairs = z.array(z.tuple([z.string(), z.string()]));
/** v1 (docs/adr/0096) carried the next boundary only; it reads as a carry with no tails and no early edges. */
const carrySchema = z.discriminatedUnion('format', [
  z.object({ format: z.literal('gravix.edge-carry/v1'), heads: pairs, waiting: z.array(z.string()) }),
  z.object({
    format: z.literal('gravix.edge-carry/v2'),
    heads: pairs,
    waiting: z.array(z.string()),
    tails: pairs,
    early: z.array(z.string()),
  }),
]);

/** Gzipped JSON; gzip with a fixed header (Node writes no name and a zero mtime), so equal carries are equal bytes. */
export function encodeEdgeCarry(carry: EdgeCarry): Uint8Array {
  const { heads, waiting, tails, early } = carry;
  return gzipSync(JSON.stringify({ format: 'gravix.edge-carry/v2', heads, waiting, tails, early }), {
    level: 6,
  });
}

export function parseEdgeCarry(bytes: Uint8Array, key: string): EdgeCarry {
  let json: unknown;
  try {
    json = JSON.parse(gunzipSync(bytes).toString('utf8'));
  } catch (error) {
    throw new InvalidEdgeCarryError(`edge carry '${key}' is not gzipped JSON`, { cause: error });
  }
  const parsed = carrySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidEdgeCarryError(
      `edge carry '${key}' field '${issue?.path.join('.') ?? ''}': ${issue?.message ?? 'invalid'}`,
    );
  }
  const carry = parsed.data;
  if (carry.format === 'gravix.edge-carry/v1')
    return { heads: carry.heads, waiting: carry.waiting, tails: [], early: [] };
  return { heads: carry.heads, waiting: carry.waiting, tails: carry.tails, early: carry.early };
}
