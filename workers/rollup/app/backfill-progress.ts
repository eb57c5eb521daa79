import type { PartitionReport } from './rollup-partition.js';

const width = 30;

/** One progress line, e.g. `[#######.......] 12/48 partitions  1,204,332 facts  410,220 facts/s`. */
export function buildProgressLine(done: number, total: number, facts: number, elapsedMs: number): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  const rate = elapsedMs > 0 ? Math.round((facts * 1000) / elapsedMs) : 0;
  const n = (value: number) => value.toLocaleString('en-US');
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} partitions  ${n(facts)} facts  ${n(rate)} facts/s`;
}

/** Redraws in place on a terminal, one line per partition otherwise (CI logs, kubectl logs). */
export function buildProgressReporter(stream: NodeJS.WriteStream, startedMs = Date.now()) {
  let facts = 0;
  return (report: PartitionReport | undefined, done: number, total: number): void => {
    facts += report?.facts ?? 0;
    const line = buildProgressLine(done, total, facts, Date.now() - startedMs);
    stream.write(stream.isTTY ? `\r${line}${done === total ? '\n' : ''}` : `${line}\n`);
  };
}
