import { Agent, request } from 'node:http';
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
