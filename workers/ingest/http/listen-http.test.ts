import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { listenHttp } from './listen-http.js';

function get(port: number, agent: Agent): Promise<{ status: number; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('listenHttp', () => {
  it('finishes close() while keep-alive clients keep sending, answering requests sent meanwhile with Connection: close', async () => {
    const http = await listenHttp((_req, res) => void setTimeout(() => res.end('ok'), 5), '127.0.0.1', 0);
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    let [stop, closing] = [false, false];
    const answers: { sentWhileClosing: boolean; status: number; connection: string | undefined }[] = [];
    const client = async () => {
      while (!stop) {
        const sentWhileClosing = closing;
        try {
          answers.push({ sentWhileClosing, ...(await get(http.port, agent)) });
        } catch {
          return; // refused once the server is closed
        }
      }
    };
    const clients = Array.from({ length: 4 }, client);
    while (answers.length < 8) await new Promise((r) => setTimeout(r, 10));
    closing = true;
    const closed = http.close().then(() => 'closed');
    const outcome = await Promise.race([
      closed,
      new Promise((r) => setTimeout(() => r('still open'), 2_000)),
    ]);
    stop = true;
    await Promise.all(clients);
    agent.destroy();
    await closed;
    expect(outcome).toBe('closed');
    expect(answers.filter((a) => a.connection === 'keep-alive').length).toBeGreaterThan(0);
    const whileClosing = answers.filter((a) => a.sentWhileClosing);
    expect(whileClosing.map((a) => [a.status, a.connection])).toEqual(whileClosing.map(() => [200, 'close']));
  });
});

/** A raw client socket and what happened to it: what the server wrote and when it closed (ms after open). */
interface RawClient {
  socket: Socket;
  received: string;
  closedAfterMs: Promise<number>;
}

function openRaw(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const opened = Date.now();
    const socket = connect(port, '127.0.0.1');
    const client: RawClient = {
      socket,
      received: '',
      closedAfterMs: new Promise((r) => socket.on('close', () => r(Date.now() - opened))),
    };
    socket.on('data', (chunk: Buffer) => (client.received += chunk.toString('latin1')));
    socket.on('error', () => {});
    socket.once('connect', () => resolve(client));
    socket.once('error', reject);
  });
}

/** Writes `text` one byte per `everyMs` until the socket closes or the text is sent. */
async function dribble(client: RawClient, text: string, everyMs: number): Promise<void> {
  for (const char of text) {
    if (client.socket.destroyed) return;
    client.socket.write(char);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const within = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} after ${ms} ms`)), ms).unref(),
    ),
  ]);

describe('listenHttp bounds slow and idle clients', () => {
  const bounds = {
    headersTimeoutMs: 1000,
    requestTimeoutMs: 2000,
    keepAliveTimeoutMs: 1000,
    maxConnections: 8,
  };
  const ok = (_req: unknown, res: { end(text: string): void }) => res.end('ok');

  it('closes slowloris connections whose headers trickle in past headersTimeout, with 408', async () => {
    const http = await listenHttp(ok, '127.0.0.1', 0, bounds);
    try {
      const clients = await Promise.all(Array.from({ length: 6 }, () => openRaw(http.port)));
      const headers = `POST /api/v1/facts HTTP/1.1\r\nHost: x\r\n${'X-Slow: 1\r\n'.repeat(20)}\r\n`;
      for (const c of clients) void dribble(c, headers, 100);
      const closed = await within(
        Promise.all(clients.map((c) => c.closedAfterMs)),
        5000,
        'slow headers still open',
      );
      for (const ms of closed) expect(ms).toBeLessThan(3500);
      for (const c of clients) expect(c.received).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      await http.close();
    }
  });

  it('closes a connection whose body trickles in past requestTimeout', async () => {
    const http = await listenHttp(
      (req, res) => req.resume().on('end', () => res.end('ok')),
      '127.0.0.1',
      0,
      bounds,
    );
    try {
      const client = await openRaw(http.port);
      client.socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n');
      void dribble(client, 'x'.repeat(1000), 100);
      expect(await within(client.closedAfterMs, 6000, 'slow body still open')).toBeLessThan(4000);
      expect(client.received).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      await http.close();
    }
  });

  it('closes an idle keep-alive connection after keepAliveTimeout', async () => {
    const http = await listenHttp(ok, '127.0.0.1', 0, bounds);
    try {
      const client = await openRaw(http.port);
      client.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(await within(client.closedAfterMs, 5000, 'idle connection still open')).toBeLessThan(3000);
      expect(client.received).toMatch(/^HTTP\/1\.1 200 /);
    } finally {
      await http.close();
    }
  });

  it('refuses connections past maxConnections and takes new ones once those close', async () => {
    const http = await listenHttp(ok, '127.0.0.1', 0, {
      ...bounds,
      headersTimeoutMs: 60_000,
      requestTimeoutMs: 60_000,
    });
    try {
      const held = await Promise.all(Array.from({ length: 8 }, () => openRaw(http.port)));
      for (const c of held) c.socket.write('GET / HTTP/1.1\r\n');
      await new Promise((r) => setTimeout(r, 100));
      const extra = await openRaw(http.port);
      expect(await within(extra.closedAfterMs, 2000, 'connection past the cap still open')).toBeLessThan(
        2000,
      );
      expect(extra.received).toBe('');
      for (const c of held) c.socket.destroy();
      await Promise.all(held.map((c) => c.closedAfterMs));
      await new Promise((r) => setTimeout(r, 100));
      const later = await openRaw(http.port);
      later.socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      await within(later.closedAfterMs, 2000, 'answer');
      expect(later.received).toMatch(/^HTTP\/1\.1 200 /);
    } finally {
      await http.close();
    }
  });
});
