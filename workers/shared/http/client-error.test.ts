import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { answerOutsideRoutes } from './client-error.js';

/** Sends raw bytes and reads the whole answer (the server closes the connection after a parser error). */
function exchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as unknown;

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((_req, res) => res.end('ok'));
  answerOutsideRoutes(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('answerOutsideRoutes', () => {
  it('answers a URL past the header limit with 431 and the API error body', async () => {
    const answer = await exchange(port, `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(answer).toContain('Content-Type: application/json; charset=utf-8');
    expect(bodyOf(answer)).toEqual({
      error: {
        code: 'HEADERS_TOO_LARGE',
        message: 'the request line and headers are larger than 16384 bytes',
        request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      },
    });
  });

  it('answers bytes that are not HTTP with 400 MALFORMED_REQUEST', async () => {
    const answer = await exchange(port, 'HELLO\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(bodyOf(answer)).toMatchObject({
      error: { code: 'MALFORMED_REQUEST', message: 'the request is not valid HTTP/1.1' },
    });
  });

  it('answers a header line without a colon with 400 MALFORMED_REQUEST', async () => {
    const answer = await exchange(port, 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    expect(bodyOf(answer)).toMatchObject({ error: { code: 'MALFORMED_REQUEST' } });
  });

  it('answers CONNECT (which never reaches the request listener) with 405 and the error body, not a dropped connection', async () => {
    const answer = await exchange(port, 'CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    expect(bodyOf(answer)).toMatchObject({
      error: {
        code: 'METHOD_NOT_ALLOWED',
        message: 'CONNECT is not allowed on example.org:443; this server is not a proxy',
      },
    });
  });
});
