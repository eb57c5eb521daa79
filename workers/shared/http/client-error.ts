import { randomUUID } from 'node:crypto';
import { maxHeaderSize, STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';

/** Node's parser errors (a request that never reached a handler) as the API's answers. */
function describe(code: string | undefined): [number, string, string] {
  if (code === 'HPE_HEADER_OVERFLOW')
    return [431, 'HEADERS_TOO_LARGE', `the request line and headers are larger than ${maxHeaderSize} bytes`];
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return [408, 'REQUEST_TIMEOUT', 'the request was not received in time'];
  return [400, 'MALFORMED_REQUEST', 'the request is not valid HTTP/1.1'];
}

/**
 * The server's 'clientError' handler: Node answers a request it cannot parse (a URL or headers past
 * --max-http-header-size, bytes that are not HTTP) with a bare status line; clients get the API's error body
 * (`{"error": {code, message, request_id}}`) instead, then the connection closes, as Node's own answer does.
 */
/** Writes an error answer straight onto the socket and closes it: no request object reached a handler. */
function endWithError(
  socket: Duplex,
  status: number,
  code: string,
  message: string,
  extra: string[] = [],
): void {
  const id = randomUUID();
  const body = JSON.stringify({ error: { code, message, request_id: id } });
  socket.end(
    [
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      `X-Request-Id: ${id}`,
      ...extra,
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
}

export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || pending?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, code, message] = describe(error.code);
  endWithError(socket, status, code, message);
}

/**
 * The server's 'connect' handler: Node hands a CONNECT request to this event, never to the request listener, and
 * without a handler drops the connection with no answer at all. Gravix is no proxy: 405 with the error body.
 */
export function answerConnect(req: IncomingMessage, socket: Duplex): void {
  endWithError(
    socket,
    405,
    'METHOD_NOT_ALLOWED',
    `CONNECT is not allowed on ${(req.url ?? '').slice(0, 200)}; this server is not a proxy`,
  );
}

/** Every request that never reaches the routes (unparseable, CONNECT) answered with the API's error body. */
export function answerOutsideRoutes(server: Server): void {
  server.on('clientError', answerClientError);
  server.on('connect', answerConnect);
}
