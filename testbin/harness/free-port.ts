import { createServer } from 'node:net';

/** Asks the kernel for a free loopback port. Racy by nature, so callers bind soon after. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('free-port: server.address() returned no port'));
        return;
      }
      server.close(() => resolvePort(address.port));
    });
  });
}
