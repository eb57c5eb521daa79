import type { IncomingMessage, ServerResponse } from 'node:http';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import { HttpError } from '../../shared/http/http-error.js';

type Decompress = (
  input: Buffer,
  options: { maxOutputLength: number },
  callback: (error: Error | null, result: Buffer) => void,
) => void;

/** The content encodings express.raw accepted before this reader replaced it. */
const decompressors = new Map<string, Decompress>([
  ['gzip', gunzip],
  ['deflate', inflate],
  ['br', brotliDecompress],
]);

const tooLarge = (what: string, maxBytes: number) =>
  new HttpError(413, 'BODY_TOO_LARGE', `${what} is larger than the limit of ${maxBytes} bytes`);

const aborted = () => new HttpError(400, 'REQUEST_ABORTED', 'the client aborted the request body');

/** Same rule as type-is: a request has a body when it is chunked or declares a length. */
function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || req.headers['content-length'] !== undefined;
}

/** Buffers the body as sent, failing once it passes maxBytes (the rest is drained and discarded). */
function collect(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  if (Number(req.headers['content-length']) > maxBytes) {
    req.resume();
    return Promise.reject(tooLarge('body', maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const detach = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onClose);
    };
    const fail = (error: HttpError) => {
      detach();
      req.resume();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) fail(tooLarge('body', maxBytes));
      else chunks.push(chunk);
    };
    const onEnd = () => {
      detach();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
    };
    const onAbort = () => fail(aborted());
    const onClose = () => {
      if (!req.complete) fail(aborted());
    };
    req.on('data', onData).on('end', onEnd).on('error', onAbort).on('close', onClose);
  });
}

function decompress(encoding: string, decode: Decompress, input: Buffer, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    decode(input, { maxOutputLength: maxBytes }, (error, output) => {
      if (!error) resolve(output);
      else if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
        reject(tooLarge(`decompressed ${encoding} body`, maxBytes));
      else reject(new HttpError(400, 'MALFORMED_BODY', `body is not valid ${encoding}: ${error.message}`));
    });
  });
}

/**
 * Reads a request body into one Buffer, inflating gzip, deflate or br; maxBytes bounds both the bytes
 * on the wire and the decompressed size. Undefined when the request has no body. Replaces express.raw
 * (raw-body, type-is, a decompression stream per request) on the hot path, with the same error codes.
 */
export async function readRequestBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  if (!hasBody(req)) return undefined;
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  const decode = decompressors.get(encoding);
  if (!decode && encoding !== 'identity') {
    req.resume();
    throw new HttpError(
      415,
      'UNSUPPORTED_ENCODING',
      `content-encoding '${encoding}' is not supported; use gzip, deflate, br or identity`,
    );
  }
  const sent = await collect(req, maxBytes);
  return decode ? decompress(encoding, decode, sent, maxBytes) : sent;
}

/**
 * A refusal answered before the body arrived (key, disk share, rates, turns) closes the connection after the
 * answer, so the server never reads the rest of a refused body: kept alive, Node would read and discard every byte
 * the client still sends to find the next request. Clients that keep sending get the answer (429 + Retry-After)
 * and see the connection end (undici's fetch and node:http, ingest-abuse.test.ts).
 */
export function closeIfBodyUnread(req: IncomingMessage, res: ServerResponse): void {
  if (!req.complete) res.setHeader('Connection', 'close');
}
