import { decodeParquet } from '../parquet-codec.js';

/**
 * A decoded Parquet row as comparable text (bigints and typed-array lists spelled out), so the rollup contracts
 * compare every column of a tile with the rows it must hold, in any order once sorted (and parquet-codec.test.ts
 * the rows of two encodes).
 */
export const rowText = (row: unknown) =>
  JSON.stringify(row, (_, v: unknown) =>
    typeof v === 'bigint' ? String(v) : ArrayBuffer.isView(v) ? Array.from(v as never) : v,
  );

/** Every row of a Parquet file as text, sorted. */
export const sortedRowTexts = (bytes: Uint8Array) => decodeParquet(bytes).toArray().map(rowText).sort();
