import type { NextFunction, Request, Response } from 'express';

/**
 * The dashboard loads only its own script, styles and API (same origin) and is never framed; JSON answers are
 * never sniffed into HTML. Style attributes set through the CSSOM (element.style) are allowed by this policy.
 */
export const securityHeaders: Readonly<Record<string, string>> = {
  'Content-Security-Policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

/** Express middleware: every response carries securityHeaders. */
export function setSecurityHeaders(_req: Request, res: Response, next: NextFunction): void {
  for (const [name, value] of Object.entries(securityHeaders)) res.setHeader(name, value);
  next();
}
