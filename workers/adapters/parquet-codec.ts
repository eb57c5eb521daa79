import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import {
  Compression,
  Table as WasmTable,
  WriterPropertiesBuilder,
  readParquet,
  writeParquet,
} from 'parquet-wasm';

export interface ParquetWriteOptions {
  /**
   * Rows per row group. Small groups over sorted rows let a reader skip the groups whose min/max statistics
   * cannot match its filter, list columns included (request_metrics_day_hours); default: the writer's.
   */
  maxRowGroupSize?: number;
}

/** Encodes an Arrow table as a ZSTD-compressed Parquet file. */
export function encodeParquet(table: Table, options: ParquetWriteOptions = {}): Uint8Array {
  const wasmTable = WasmTable.fromIPCStream(tableToIPC(table, 'stream'));
  let builder = new WriterPropertiesBuilder().setCompression(Compression.ZSTD);
  if (options.maxRowGroupSize !== undefined) builder = builder.setMaxRowGroupSize(options.maxRowGroupSize);
  return writeParquet(wasmTable, builder.build());
}

/** Decodes a Parquet file into an Arrow table. */
export function decodeParquet(bytes: Uint8Array): Table {
  return tableFromIPC(readParquet(bytes).intoIPCStream());
}
