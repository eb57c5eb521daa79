import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerOutsideRoutes } from '../../shared/http/client-error.js';

export interface HttpListener {
  port: number;
  /** Stops accepting and resolves once every connection is closed and every request answered. */
  close(): Promise<void>;
}

/** Bounds on slow and idle clients (GRAVIX_HEADERS_TIMEOUT_MS and friends); Node's defaults where unset. */
export interface ClientBounds {
  /** A request's headers must arrive within this (slowloris). */
  headersTimeoutMs?: number;
  /** A request's headers and body must arrive within this (slow bodies); the client gets 408. */
  requestTimeoutMs?: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs?: number;
  /** Connections past this are closed as they are accepted. */
  maxConnections?: number;
}

/**
 * Serves `listener` on host:port. close() also ends busy keep-alive connections: from then on every response
 * carries `Connection: close`, and connections that go idle after close() are closed (server.close() only
 * closes those idle at the time), so clients that keep sending cannot hold a shutdown open.
 */
export async function listenHttp(
  listener: RequestListener,
  host: string,
  port: number,
  bounds: ClientBounds = {},
): Promise<HttpListener> {
  let closing = false;
  const server = createServer(
    {
      // Node checks both timeouts on this interval; the default (30 s) would let a slow client overstay a 10 s
      // headersTimeout by up to 30 s.
      connectionsCheckingInterval: Math.min(1000, bounds.headersTimeoutMs ?? 1000),
      ...(bounds.headersTimeoutMs === undefined ? {} : { headersTimeout: bounds.headersTimeoutMs }),
      ...(bounds.requestTimeoutMs === undefined ? {} : { requestTimeout: bounds.requestTimeoutMs }),
    },
    (req, res) => {
      if (closing) res.setHeader('connection', 'close');
      return listener(req, res);
    },
  );
  if (bounds.maxConnections !== undefined) server.maxConnections = bounds.maxConnections;
  // Requests Node cannot parse, and CONNECT, get the API's error body too, not a bare status line or none.
  answerOutsideRoutes(server);
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  server.keepAliveTimeout = bounds.keepAliveTimeoutMs ?? 65_000;
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      closing = true;
      const closed = new Promise<void>((r) => server.close(() => r()));
      const sweep = setInterval(() => server.closeIdleConnections(), 100);
      server.closeIdleConnections();
      await closed;
      clearInterval(sweep);
    },
  };
}
