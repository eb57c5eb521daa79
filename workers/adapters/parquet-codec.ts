import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import {
  Compression,
  Table as WasmTable,
  WriterPropertiesBuilder,
  readParquet,
  writeParquet,
} from 'parquet-wasm';

/** Encodes an Arrow table as a ZSTD-compressed Parquet file. */
export function encodeParquet(table: Table): Uint8Array {
  const wasmTable = WasmTable.fromIPCStream(tableToIPC(table, 'stream'));
  const properties = new WriterPropertiesBuilder().setCompression(Compression.ZSTD).build();
  return writeParquet(wasmTable, properties);
}

/** Decodes a Parquet file into an Arrow table. */
export function decodeParquet(bytes: Uint8Array): Table {
  return tableFromIPC(readParquet(bytes).intoIPCStream());
}
