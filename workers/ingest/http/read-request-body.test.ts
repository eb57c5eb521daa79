import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { HttpError } from '../../shared/http/http-error.js';
import { readRequestBody } from './read-request-body.js';

const maxBytes = 64;

/** A server that answers with what readRequestBody made of the request. */
let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    readRequestBody(req, maxBytes).then(
      (body) => res.end(JSON.stringify({ body: body === undefined ? null : body.toString('utf8') })),
      (error: HttpError) =>
        res.end(JSON.stringify({ status: error.status, code: error.code, message: error.message })),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise((r) => server.close(r)));

function send(
  body: Buffer | string | undefined,
  headers: Record<string, string> = {},
  chunked = false,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = request(
      { port, host: '127.0.0.1', method: body === undefined ? 'GET' : 'POST', headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>),
        );
      },
    );
    req.on('error', reject);
    if (chunked && body !== undefined) {
      const bytes = Buffer.from(body);
      for (let i = 0; i < bytes.length; i += 10) req.write(bytes.subarray(i, i + 10));
      req.end();
    } else req.end(body);
  });
}

describe('readRequestBody', () => {
  it('returns the body as sent, whole or in chunks', async () => {
    expect(await send('{"a":1}')).toEqual({ body: '{"a":1}' });
    expect(await send('x'.repeat(maxBytes), {}, true)).toEqual({ body: 'x'.repeat(maxBytes) });
  });

  it('returns undefined when the request has neither a length nor chunked encoding', async () => {
    expect(await send(undefined)).toEqual({ body: null });
  });

  it('inflates gzip, deflate and br bodies, matching the encoding case-insensitively', async () => {
    expect(await send(gzipSync('[1,2]'), { 'content-encoding': 'GZIP' })).toEqual({ body: '[1,2]' });
    expect(await send(deflateSync('[3]'), { 'content-encoding': 'deflate' })).toEqual({ body: '[3]' });
    expect(await send(brotliCompressSync('[4]'), { 'content-encoding': 'br' })).toEqual({ body: '[4]' });
    expect(await send('[5]', { 'content-encoding': 'identity' })).toEqual({ body: '[5]' });
  });

  it('answers 413 BODY_TOO_LARGE for a declared, a streamed and a decompressed body over the limit', async () => {
    const over = 'x'.repeat(maxBytes + 1);
    const expected = {
      status: 413,
      code: 'BODY_TOO_LARGE',
      message: `body is larger than the limit of ${maxBytes} bytes`,
    };
    expect(await send(over)).toEqual(expected);
    expect(await send(over, {}, true)).toEqual(expected);
    expect(await send(gzipSync('y'.repeat(10_000)), { 'content-encoding': 'gzip' })).toEqual({
      ...expected,
      message: `decompressed gzip body is larger than the limit of ${maxBytes} bytes`,
    });
  });

  it('answers 400 MALFORMED_BODY for a corrupt or truncated gzip body', async () => {
    expect(await send('not gzip at all', { 'content-encoding': 'gzip' })).toEqual({
      status: 400,
      code: 'MALFORMED_BODY',
      message: 'body is not valid gzip: incorrect header check',
    });
    const truncated = gzipSync('[1,2,3]').subarray(0, 12);
    expect(await send(truncated, { 'content-encoding': 'gzip' })).toMatchObject({
      status: 400,
      code: 'MALFORMED_BODY',
    });
  });

  it('answers 415 UNSUPPORTED_ENCODING for an encoding it cannot inflate', async () => {
    expect(await send('[1]', { 'content-encoding': 'compress' })).toEqual({
      status: 415,
      code: 'UNSUPPORTED_ENCODING',
      message: "content-encoding 'compress' is not supported; use gzip, deflate, br or identity",
    });
  });
});
