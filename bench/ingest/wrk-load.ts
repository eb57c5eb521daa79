import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Drives load with wrk (C, one thread): a Node client on the same two cores spends more CPU per request than the
 * server and caps the measurement at its own speed. wrk's `done` hook prints the summary as one JSON line.
 */
export interface WrkRun {
  requests: number;
  non2xx: number;
  socketErrors: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
}

const script = (body: string, key: string) => `
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer ${key}"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[${body}]==]
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests":%d,"non2xx":%d,"socketErrors":%d,"micros":%d,"p50":%d,"p99":%d}\\n',
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout, summary.duration,
    latency:percentile(50), latency:percentile(99)))
end
`;

export async function runWrk(options: {
  url: string;
  body: string;
  connections: number;
  seconds: number;
  /** The API key sent (default `bench`). */
  key?: string;
}): Promise<WrkRun> {
  const file = join(mkdtempSync(join(tmpdir(), 'gx-wrk-')), 'post.lua');
  writeFileSync(file, script(options.body, options.key ?? 'bench'));
  const args = ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--timeout', '10s', '-s', file];
  const { stdout } = await promisify(execFile)('wrk', [...args, options.url], { maxBuffer: 1 << 20 });
  const line = stdout.split('\n').find((l) => l.startsWith('{"requests"'));
  if (!line) throw new Error(`wrk printed no summary:\n${stdout}`);
  const raw = JSON.parse(line) as Record<string, number>;
  const seconds = raw['micros']! / 1e6;
  return {
    requests: raw['requests']!,
    non2xx: raw['non2xx']!,
    socketErrors: raw['socketErrors']!,
    seconds,
    p50Ms: raw['p50']! / 1000,
    p99Ms: raw['p99']! / 1000,
  };
}

/** A run after an uncounted warm-up run, so the figures are the server's steady state, not V8's first pass. */
export async function runWrkAfterWarmUp(
  options: Parameters<typeof runWrk>[0],
  warmUpSeconds: number,
): Promise<WrkRun> {
  await runWrk({ ...options, seconds: warmUpSeconds });
  return runWrk(options);
}
