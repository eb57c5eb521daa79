import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import { buildErrorHandler } from './error-handler.js';

function get(port: number, path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'DELETE' }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the error handler', () => {
  it('answers a path parameter that is not percent-encoded UTF-8 with 400, not 500', async () => {
    // Found against gravix dev: DELETE /api/v1/keys/%ED%A0%80 (an encoded lone surrogate) answered 500
    // INTERNAL, as did every route with a path parameter (keys, rotate, alert rules, silences).
    const app = express();
    app.delete('/api/v1/keys/:id', (_req, res) => void res.json({ ok: true }));
    app.use(buildErrorHandler(pino({ level: 'silent' })));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const { port } = server.address() as AddressInfo;
      for (const id of ['%ED%A0%80', '%C3', '%']) {
        const { status, body } = await get(port, `/api/v1/keys/${id}`);
        expect([status, (body as { error: { code: string; message: string } }).error]).toEqual([
          400,
          expect.objectContaining({
            code: 'INVALID_PATH_PARAMETER',
            message: 'a path parameter must be percent-encoded UTF-8',
          }),
        ]);
      }
    } finally {
      server.close();
    }
  });
});
