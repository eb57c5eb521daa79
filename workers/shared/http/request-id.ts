import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';

const clientIdPattern = /^[A-Za-z0-9._-]{1,128}$/;

/** The client's X-Request-Id when it is safe to echo, else a new UUID. */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && clientIdPattern.test(given) ? given : randomUUID();
}

/** Every response carries X-Request-Id (see requestIdFor); handlers find it in res.locals.requestId. */
export function requestId(req: Request, res: Response, next: NextFunction): void {
  const id = requestIdFor(req);
  res.locals['requestId'] = id;
  res.setHeader('X-Request-Id', id);
  next();
}
