import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import {
  Compression,
  Table as WasmTable,
  WriterPropertiesBuilder,
  readParquet,
  transformParquetStream,
  writeParquet,
  type RecordBatch as WasmRecordBatch,
} from 'parquet-wasm';

export interface ParquetWriteOptions {
  /**
   * Rows per row group. Small groups over sorted rows let a reader skip the groups whose min/max statistics
   * cannot match its filter, list columns included (request_metrics_day_hours); default: the writer's.
   */
  maxRowGroupSize?: number;
}

const writerProperties = (options: ParquetWriteOptions) => {
  let builder = new WriterPropertiesBuilder().setCompression(Compression.ZSTD);
  if (options.maxRowGroupSize !== undefined) builder = builder.setMaxRowGroupSize(options.maxRowGroupSize);
  return builder.build();
};

/** Encodes an Arrow table as a ZSTD-compressed Parquet file. */
export function encodeParquet(table: Table, options: ParquetWriteOptions = {}): Uint8Array {
  return writeParquet(WasmTable.fromIPCStream(tableToIPC(table, 'stream')), writerProperties(options));
}

/**
 * Encodes a large table given as parts (each built when the writer pulls it) into one file, as encodeParquet would
 * encode their concatenation: the writer flushes row groups as they fill, so neither the whole table nor its copy
 * in the writer's memory exists at once. The writer's memory (WebAssembly) never shrinks once grown: a day's tile of
 * ~100,000 endpoint quarter-hour rows in one writeParquet grew the process by ~430 MiB for good, in parts of 8,192
 * rows by ~140 (docs/adr/0144). The parts share one schema; a table that fits one part is encoded whole.
 */
export async function encodeParquetParts(
  parts: Iterable<Table>,
  options: ParquetWriteOptions = {},
): Promise<Uint8Array> {
  const iterator = parts[Symbol.iterator]();
  const first = iterator.next();
  if (first.done) throw new Error('encodeParquetParts needs at least one part (its schema)');
  const second = iterator.next();
  if (second.done) return encodeParquet(first.value, options);
  const pending = [first.value, second.value];
  const source = new ReadableStream<WasmRecordBatch>({
    pull(controller) {
      const next = pending.shift() ?? iterator.next().value;
      if (!next) return controller.close();
      for (const batch of WasmTable.fromIPCStream(tableToIPC(next, 'stream')).recordBatches())
        controller.enqueue(batch);
    },
  });
  const reader = (
    (await transformParquetStream(source, writerProperties(options))) as ReadableStream<Uint8Array>
  ).getReader();
  const chunks: Uint8Array[] = [];
  for (let read = await reader.read(); !read.done; read = await reader.read()) chunks.push(read.value);
  return Buffer.concat(chunks);
}

/** Decodes a Parquet file into an Arrow table. */
export function decodeParquet(bytes: Uint8Array): Table {
  return tableFromIPC(readParquet(bytes).intoIPCStream());
}
