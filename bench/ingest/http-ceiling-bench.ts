/**
 * bench/ingest/http-ceiling: what the HTTP layer alone allows, the measurement behind the ingest hot lane
 * (docs/adr/0010). The same trivial handler (read the body, answer a small JSON 200) is served four ways, each
 * in its own process, and driven by wrk at 64 connections with a one-fact body:
 *   plain        http.createServer
 *   prototypes   plain, plus the Object.setPrototypeOf express applies to every request and response
 *   express      an express app with the handler as its one route
 *   middleware   an express app with one app-level middleware and a three-handler route (the old ingest shape)
 * Usage: npm run build && node dist/bench/ingest/http-ceiling-bench.js [--seconds 5]
 */
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction } from 'express';
import { forkServer } from './fork-server.js';
import { runWrkAfterWarmUp } from './wrk-load.js';

const modes = ['plain', 'prototypes', 'express', 'middleware'] as const;
type Mode = (typeof modes)[number];
const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 5;
const body = JSON.stringify([
  {
    event_id: 'e',
    timestamp: Date.now(),
    service: 's',
    method: 'GET',
    path: '/a/1',
    status_code: 200,
    latency_ms: 3,
  },
]);

function reply(req: IncomingMessage, res: ServerResponse): void {
  req.resume().on('end', () => {
    const json = JSON.stringify({ accepted: 1, rejected: [], request_id: 'r' });
    res
      .writeHead(200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(json),
      })
      .end(json);
  });
}

function listenerFor(mode: Mode): RequestListener {
  const app = express();
  app.set('etag', false);
  const pass = (_req: unknown, _res: unknown, next: NextFunction) => next();
  switch (mode) {
    case 'plain':
      return reply;
    case 'prototypes':
      return (req, res) => {
        Object.setPrototypeOf(req, app.request);
        Object.setPrototypeOf(res, app.response);
        reply(req, res);
      };
    case 'express':
      app.post('/api/v1/facts', reply);
      return app;
    case 'middleware':
      app.use(pass);
      app.post('/api/v1/facts', pass, pass, reply);
      return app;
  }
}

function serve(mode: Mode): void {
  const server = createServer(listenerFor(mode));
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
}

async function measure(mode: Mode) {
  const server = await forkServer(import.meta.url, ['serve', mode]);
  const url = `http://127.0.0.1:${server.port}/api/v1/facts`;
  const run = await runWrkAfterWarmUp({ url, body, connections: 64, seconds }, 2);
  server.stop();
  return {
    mode,
    requestsPerSecond: Math.round(run.requests / run.seconds),
    p50Ms: Number(run.p50Ms.toFixed(2)),
    p99Ms: Number(run.p99Ms.toFixed(2)),
  };
}

async function main(): Promise<void> {
  const runs = [];
  for (const mode of modes) runs.push(await measure(mode));
  process.stdout.write(
    `${JSON.stringify({ bench: 'http-ceiling', connections: 64, seconds, runs }, null, 2)}\n`,
  );
}

if (process.argv[2] === 'serve') serve(process.argv[3] as Mode);
else void main();
