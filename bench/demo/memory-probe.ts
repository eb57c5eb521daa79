/**
 * bench/demo: loaded into a measured process with `node --import <this file>` (GRAVIX_MEMORY_PROBE_FILE names the
 * output). Every GRAVIX_MEMORY_PROBE_MS (500) it appends one JSON line of `process.memoryUsage()` in MiB: rss is
 * the whole process, heapTotal/heapUsed the main isolate's V8 heap, external and arrayBuffers the native memory
 * V8 knows of (Buffers, parquet-wasm's memory); what rss holds beyond those is native memory V8 does not see
 * (DuckDB's buffer pool, malloc arenas, worker threads' isolates). The bench reads the line of the highest rss
 * to say what held the peak; worker threads (the WAL segment packer) write their own lines, and so does the launcher
 * of `gravix dev` (its lines carry its own pid). Nothing here changes what the process does.
 */
import { appendFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';

const file = process.env['GRAVIX_MEMORY_PROBE_FILE'];
const everyMs = Number(process.env['GRAVIX_MEMORY_PROBE_MS'] ?? 500);
const mib = (bytes: number) => Math.round(bytes / 104_857.6) / 10;

if (file) {
  const started = Date.now();
  setInterval(() => {
    const m = process.memoryUsage();
    const line = {
      s: Math.round((Date.now() - started) / 100) / 10,
      // gravix dev's launcher passes --import on to its pipeline process: both write here, each with its pid.
      pid: process.pid,
      // --import loads this into worker threads too: 0 is the main thread.
      thread: threadId,
      rss: mib(m.rss),
      heapTotal: mib(m.heapTotal),
      heapUsed: mib(m.heapUsed),
      external: mib(m.external),
      arrayBuffers: mib(m.arrayBuffers),
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  }, everyMs).unref();
}
