import type { NextFunction, Request, Response } from 'express';
import { HttpError } from './http-error.js';
import { openApiDocument, type OpenApiDocument } from './openapi-document.js';

/**
 * The methods each path takes on one server (the document's operations with that tag), HEAD wherever GET is, as
 * express answers HEAD with the GET handler.
 */
export function allowedMethods(
  tag: string,
  document: OpenApiDocument = openApiDocument(),
): Map<string, string[]> {
  const allowed = new Map<string, string[]>();
  for (const [path, item] of Object.entries(document.paths)) {
    const methods = Object.entries(item)
      .filter(([, operation]) => (operation as { tags?: string[] }).tags?.includes(tag))
      .map(([method]) => method.toUpperCase());
    if (methods.includes('GET')) methods.push('HEAD');
    if (methods.length > 0) allowed.set(path, methods);
  }
  return allowed;
}

/**
 * Express middleware, after the routes: a path the server serves, asked with another method, is
 * `405 METHOD_NOT_ALLOWED` with `Allow` (RFC 9110), not a 404 that says the path does not exist.
 */
export function buildMethodNotAllowed(allowed: ReadonlyMap<string, readonly string[]>) {
  // Templated paths (`/api/v1/keys/{id}`) match any one segment where the template has a parameter.
  const templated = [...allowed]
    .filter(([path]) => path.includes('{'))
    .map(([path, methods]) => {
      const pattern = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
      return { pattern: new RegExp(`^${pattern}$`), methods };
    });
  const methodsOf = (path: string) =>
    allowed.get(path) ?? templated.find((t) => t.pattern.test(path))?.methods;
  return (req: Request, _res: Response, next: NextFunction): void => {
    const methods = methodsOf(req.path);
    if (!methods || methods.includes(req.method)) {
      next();
      return;
    }
    next(
      new HttpError(
        405,
        'METHOD_NOT_ALLOWED',
        `${req.method} is not allowed on ${req.path}; use ${methods.join(', ')}`,
        {
          allow: methods,
        },
      ),
    );
  };
}
