import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Request, Response } from 'express';
import { parse } from 'yaml';

/** The parts of an OpenAPI document this code reads. */
export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { tags?: string[]; operationId?: string } | unknown>>;
}

/** Where both servers serve the document (no API key needed). */
export const openApiPath = '/api/v1/openapi.json';

export class OpenApiDocumentError extends Error {
  readonly code = 'OPENAPI_DOCUMENT_UNREADABLE';
}

const here = dirname(fileURLToPath(import.meta.url));

/**
 * docs/openapi/gravix-api.yaml, the one description of the API, from the TypeScript source
 * (workers/shared/http/) or the compiled copy (dist/workers/shared/http/); the workers image keeps the same layout.
 */
export function openApiDocumentPath(): string {
  const candidates = [
    resolve(here, '..', '..', '..', 'docs', 'openapi', 'gravix-api.yaml'),
    resolve(here, '..', '..', '..', '..', 'docs', 'openapi', 'gravix-api.yaml'),
  ];
  return candidates.find((path) => existsSync(path)) ?? candidates[0]!;
}

let cached: { document: OpenApiDocument; json: string } | undefined;

function load(): { document: OpenApiDocument; json: string } {
  const path = openApiDocumentPath();
  let document: OpenApiDocument;
  try {
    document = parse(readFileSync(path, 'utf8')) as OpenApiDocument;
  } catch (error) {
    throw new OpenApiDocumentError(`cannot read the API description ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (typeof document?.openapi !== 'string' || typeof document.paths !== 'object') {
    throw new OpenApiDocumentError(`${path} is not an OpenAPI document (no 'openapi' or 'paths')`);
  }
  return { document, json: JSON.stringify(document) };
}

/** The parsed document, read once per process. */
export function openApiDocument(): OpenApiDocument {
  cached ??= load();
  return cached.document;
}

/** "METHOD /path" of every operation the document gives `tag` (the server that serves it), sorted. */
export function operationsTagged(tag: string, document = openApiDocument()): string[] {
  return Object.entries(document.paths)
    .flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([, operation]) => (operation as { tags?: string[] }).tags?.includes(tag))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    )
    .sort();
}

/**
 * Express handler for GET openApiPath. Building it reads the document, so a server without its API
 * description fails at start instead of answering 500 later.
 */
export function buildOpenApiHandler() {
  cached ??= load();
  const { json } = cached;
  return (_req: Request, res: Response): void => {
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache');
    res.send(json);
  };
}
