import { Field, Int32, Int64, List, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { decodeParquet, encodeParquet, encodeParquetParts } from './parquet-codec.js';
import { rowText } from './testing/parquet-row-text.js';

/** Rows [from, from + n) of a table with a scalar, a text and a list column (the shapes of the metrics tiles). */
function part(from: number, n: number): Table {
  const ids = Array.from({ length: n }, (_, i) => from + i);
  return new Table({
    id: vectorFromArray(
      ids.map((id) => BigInt(id)),
      new Int64(),
    ),
    name: vectorFromArray(
      ids.map((id) => `endpoint-${id % 97}`),
      new Utf8(),
    ),
    buckets: vectorFromArray(
      ids.map((id) => Array.from({ length: id % 7 }, (_, k) => id * 10 + k)),
      new List(new Field('item', new Int32())),
    ),
  });
}

/** Every row of a file as text, in file order. */
const rowsOf = (bytes: Uint8Array) => decodeParquet(bytes).toArray().map(rowText);

describe('encodeParquetParts', () => {
  it('writes the parts as one file: the rows of encodeParquet of their concatenation, in order, in its row groups', async () => {
    const parts = [part(0, 5_000), part(5_000, 5_000), part(10_000, 1_234)];
    const whole = encodeParquet(
      parts.reduce((a, b) => a.concat(b)),
      { maxRowGroupSize: 1024 },
    );
    const streamed = await encodeParquetParts(parts, { maxRowGroupSize: 1024 });
    expect(rowsOf(streamed)).toHaveLength(11_234);
    expect(rowsOf(streamed)).toEqual(rowsOf(whole));
    expect(decodeParquet(streamed).batches.length).toBe(decodeParquet(whole).batches.length);
  });

  it('encodes a single part whole, empty included', async () => {
    expect(rowsOf(await encodeParquetParts([part(0, 10)]))).toEqual(rowsOf(encodeParquet(part(0, 10))));
    expect(rowsOf(await encodeParquetParts([part(0, 0)]))).toEqual([]);
  });

  it('pulls each part only when the writer wants it', async () => {
    const built: number[] = [];
    function* lazily() {
      for (let i = 0; i < 4; i++) {
        built.push(i);
        yield part(i * 3_000, 3_000);
      }
    }
    const bytes = await encodeParquetParts(lazily());
    expect(built).toEqual([0, 1, 2, 3]);
    expect(rowsOf(bytes)).toHaveLength(12_000);
  });

  it('refuses no parts at all: a file needs its schema', async () => {
    await expect(encodeParquetParts([])).rejects.toThrow('at least one part');
  });
});
