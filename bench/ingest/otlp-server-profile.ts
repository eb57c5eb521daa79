/**
 * Where an OTLP request's time goes end to end (issue #21 item 1, docs/adr/0111): the bench listener
 * (otlp-bench-server.ts) runs in a child process, so its CPU, event-loop utilisation and GC time are its own and the
 * client's are apart. `serverProcessRounds` alternates, in rounds, the decode floor's CPU per span (this process,
 * protobufjs decoding the request in a loop) with the server's CPU per span while the parent posts the bench's
 * requests, and gives the ratio of the two CPU figures: what one core does of each, whatever share of the two cores
 * the load leaves either process. `GX_OTLP_PROFILE_DIR=D` runs the child under --cpu-prof (a V8 profile of the
 * server alone, written to D); `GX_PROFILE_NODE_FLAGS` adds node flags to it (e.g. a GC setting to try).
 * Serve mode (the child): `node otlp-server-profile.js --serve`.
 */
import { execFileSync, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { protoSchemas } from '../../workers/ingest/otlp/proto-schemas.js';
import { benchKey, startBenchServer } from './otlp-bench-server.js';
import { sendFor, spansPerRequest } from './otlp-bench-workload.js';

export interface ServerProfile {
  cpuUserMs: number;
  cpuSystemMs: number;
  eventLoopUtilisation: number;
  gcMs: number;
  gcCount: number;
  loopDelayP99Ms: number;
}

async function serve(): Promise<void> {
  const server = await startBenchServer({ keepAliveTimeoutMs: 10 * 60_000 });
  let gcMs = 0;
  let gcCount = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcMs += entry.duration;
      gcCount += 1;
    }
  }).observe({ entryTypes: ['gc'] });
  const delay = monitorEventLoopDelay({ resolution: 10 });
  let cpu = process.cpuUsage();
  let elu = performance.eventLoopUtilization();
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'start') {
      cpu = process.cpuUsage();
      elu = performance.eventLoopUtilization();
      gcMs = 0;
      gcCount = 0;
      delay.reset();
      delay.enable();
    } else if (m.cmd === 'stop') {
      const used = process.cpuUsage(cpu);
      const profile: ServerProfile = {
        cpuUserMs: used.user / 1000,
        cpuSystemMs: used.system / 1000,
        eventLoopUtilisation: performance.eventLoopUtilization(elu).utilization,
        gcMs,
        gcCount,
        loopDelayP99Ms: delay.percentile(99) / 1e6,
      };
      delay.disable();
      process.send!({ profile });
    } else if (m.cmd === 'exit') {
      void server.close().then(() => process.exit(0));
    }
  });
  process.send!({ baseUrl: server.baseUrl });
}

export interface ForkedBenchServer {
  baseUrl: string;
  start(): void;
  stop(): Promise<ServerProfile>;
  close(): Promise<void>;
}

/** The bench listener in a child process (optionally under --cpu-prof into `cpuProfDir`). */
export async function forkBenchServer(cpuProfDir?: string): Promise<ForkedBenchServer> {
  const child = fork(fileURLToPath(new URL('./otlp-server-profile.js', import.meta.url)), ['--serve'], {
    execArgv: [
      ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : []),
      ...(process.env['GX_PROFILE_NODE_FLAGS']?.split(' ').filter(Boolean) ?? []),
    ],
  });
  const next = <T>(field: string) =>
    new Promise<T>((resolve) => {
      const on = (m: Record<string, unknown>) => {
        if (field in m) {
          child.off('message', on);
          resolve(m[field] as T);
        }
      };
      child.on('message', on);
    });
  const baseUrl = await next<string>('baseUrl');
  return {
    baseUrl,
    start: () => child.send({ cmd: 'start' }),
    stop: () => {
      const got = next<ServerProfile>('profile');
      child.send({ cmd: 'stop' });
      return got;
    },
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send({ cmd: 'exit' });
      }),
  };
}

const cpuMicros = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return used.user + used.system;
};

/** Process CPU per span of protobufjs decoding `body` for `seconds` (the bench's floor, in CPU terms). */
function decodeFloorCpu(body: Buffer, seconds: number): number {
  const type = protoSchemas().exportTraceRequest;
  const started = process.cpuUsage();
  const end = performance.now() + seconds * 1000;
  let n = 0;
  while (performance.now() < end) {
    type.decode(body);
    n += 1;
  }
  return cpuMicros(started) / (n * spansPerRequest);
}

export interface ServerProcessRound {
  decodeFloorCpuUsPerSpan: number;
  serverCpuUsPerSpan: number;
  serverSystemCpuUsPerSpan: number;
  clientCpuUsPerSpan: number;
  wallUsPerSpan: number;
  cpuRatio: number;
  eventLoopUtilisation: number;
  gcMsPerRequest: number;
  loopDelayP99Ms: number;
  uptime: string;
}

const round2 = (n: number) => Number(n.toFixed(2));

/**
 * The server's CPU per span end to end (HTTP, body read, depth check, decode, mapping, WAL encode, group commit,
 * answer, GC) beside the decode floor's, alternating in rounds; refusals added to `refused`.
 */
export async function serverProcessRounds(
  bodies: Buffer[],
  options: { seconds: number; concurrency: number; rounds: number },
  refused: Record<string, number>,
): Promise<ServerProcessRound[]> {
  const server = await forkBenchServer(process.env['GX_OTLP_PROFILE_DIR']);
  const url = `${server.baseUrl}/v1/traces`;
  const send = (seconds: number) =>
    sendFor(url, bodies, {
      seconds,
      concurrency: options.concurrency,
      headers: { authorization: `Bearer ${benchKey}` },
    });
  try {
    await send(2); // warm-up: the server's JIT, the WAL's first segment
    decodeFloorCpu(bodies[0]!, 1);
    const rounds: ServerProcessRound[] = [];
    for (let r = 0; r < options.rounds; r += 1) {
      const floor = decodeFloorCpu(bodies[0]!, options.seconds);
      server.start();
      const client = process.cpuUsage();
      const sent = await send(options.seconds);
      const clientMicros = cpuMicros(client);
      const profile = await server.stop();
      for (const [status, n] of Object.entries(sent.refused)) refused[status] = (refused[status] ?? 0) + n;
      const spans = Math.max(1, sent.ok * spansPerRequest);
      const serverCpu = ((profile.cpuUserMs + profile.cpuSystemMs) * 1000) / spans;
      rounds.push({
        decodeFloorCpuUsPerSpan: round2(floor),
        serverCpuUsPerSpan: round2(serverCpu),
        serverSystemCpuUsPerSpan: round2((profile.cpuSystemMs * 1000) / spans),
        clientCpuUsPerSpan: round2(clientMicros / spans),
        wallUsPerSpan: round2((sent.seconds * 1e6) / spans),
        cpuRatio: Number((floor / serverCpu).toFixed(3)),
        eventLoopUtilisation: Number(profile.eventLoopUtilisation.toFixed(3)),
        gcMsPerRequest: round2(profile.gcMs / Math.max(1, sent.ok)),
        loopDelayP99Ms: round2(profile.loopDelayP99Ms),
        uptime: execFileSync('uptime', { encoding: 'utf8' }).trim(),
      });
    }
    return rounds;
  } finally {
    await server.close();
  }
}

if (process.argv.includes('--serve')) await serve();
