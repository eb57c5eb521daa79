import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerClientError } from '../../shared/http/client-error.js';

export interface HttpListener {
  port: number;
  /** Stops accepting and resolves once every connection is closed and every request answered. */
  close(): Promise<void>;
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
): Promise<HttpListener> {
  let closing = false;
  const server = createServer((req, res) => {
    if (closing) res.setHeader('connection', 'close');
    return listener(req, res);
  });
  // Requests Node cannot parse get the API's error body too, not a bare status line.
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  server.keepAliveTimeout = 65_000;
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
