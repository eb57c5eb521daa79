import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

const clientIdPattern = /^[A-Za-z0-9._-]{1,128}$/;

/** Every response carries X-Request-Id: the client's, when it is safe to echo, else a new UUID. */
export function requestId(req: Request, res: Response, next: NextFunction): void {
  const given = req.header('x-request-id');
  const id = given && clientIdPattern.test(given) ? given : randomUUID();
  res.locals['requestId'] = id;
  res.setHeader('X-Request-Id', id);
  next();
}
