import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy on a free loopback port in front of a real server (MinIO for Trino in the cancellation tests): bytes
 * pass both ways until `stall()`, after which nothing from the server reaches a client (held, not dropped) until
 * `release()`. It makes a real engine's query wait on its storage for as long as a test needs, without touching the
 * engine or the data: a slow disk, not a fake one.
 */
export interface StallingProxy {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  stall(): void;
  release(): void;
  stop(): Promise<void>;
}

export async function startStallingProxy(target: string): Promise<StallingProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const paused = new Set<Socket>();
  let stalled = false;
  const server = createServer((client) => {
    const upstream = createConnection({ host: hostname, port: Number(port) });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
    if (stalled) {
      upstream.pause();
      paused.add(upstream);
    }
    upstream.on('resume', () => {
      // pipe() resumes on drain: a stalled proxy keeps it paused.
      if (stalled) upstream.pause();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stall() {
      stalled = true;
      for (const s of sockets) {
        s.pause();
        paused.add(s);
      }
    },
    release() {
      stalled = false;
      for (const s of paused) s.resume();
      paused.clear();
    },
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
