import { createServer } from 'node:net';
import { IngestUnreachableError, postJson } from './post-json.js';

/** A loopback port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('postJson', () => {
  it('names the URL and the reason when nothing answers there, with a code of its own', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const failure = await postJson(url, 'k', '/api/v1/facts', []).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(IngestUnreachableError);
    expect(failure).toMatchObject({ code: 'INGEST_UNREACHABLE' });
    expect((failure as Error).message).toContain(url);
    expect((failure as Error).message).toContain('ECONNREFUSED');
  });
});
