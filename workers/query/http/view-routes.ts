import express, { type NextFunction, type Request, type Response } from 'express';
import { recordChange, type AuditSink } from '../../shared/http/audit-change.js';
import { credentialOf } from '../../shared/http/authenticate.js';
import { HttpError } from '../../shared/http/http-error.js';
import { newViewId, SavedViewsContentionError, type SavedViewStore } from '../adapters/saved-view-store.js';
import {
  createViewBodySchema,
  InvalidViewError,
  parseViewBody,
  renameViewBodySchema,
} from '../domain/saved-view.js';
import {
  createView,
  deleteView,
  listViews,
  renameView,
  ViewLimitError,
  ViewNameTakenError,
  ViewNotFoundError,
} from '../domain/saved-views-doc.js';

export interface ViewRoutesDeps {
  /** Absent when the server was built without a store for them (every call is then a 503). */
  views: SavedViewStore | undefined;
  now: () => number;
  /** Every view change is recorded before it is answered (docs/security.md, "Audit log"). */
  audit: AuditSink;
}

type Handler = (views: SavedViewStore, req: Request, res: Response) => Promise<unknown>;

/** The domain's refusals as the API's errors. */
function toHttpError(error: unknown): unknown {
  if (error instanceof InvalidViewError)
    return new HttpError(400, error.code, error.message, { field: error.field });
  if (error instanceof ViewNotFoundError) return new HttpError(404, error.code, error.message);
  if (error instanceof ViewNameTakenError)
    return new HttpError(409, error.code, error.message, { field: 'name' });
  if (error instanceof ViewLimitError) return new HttpError(409, error.code, error.message);
  if (error instanceof SavedViewsContentionError)
    return new HttpError(503, error.code, error.message, { retryAfterSeconds: 1 });
  return error;
}

function route(deps: ViewRoutesDeps, handler: Handler, status = 200) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      if (!deps.views)
        throw new HttpError(503, 'VIEWS_UNAVAILABLE', 'this server has no store for saved views');
      const body = await handler(deps.views, req, res);
      if (body === undefined) res.status(204).end();
      else res.status(status).json(body);
    } catch (error) {
      next(toHttpError(error));
    }
  };
}

const json = express.json({ limit: '16kb' });
const viewId = (req: Request) => String(req.params['id']);

/**
 * `/api/v1/views`: a tenant's named dashboard views. Anyone who reads the tenant lists them (query scope); operators
 * save, rename and delete them (the route table, workers/shared/http/route-table.ts). A view belongs to the caller's
 * tenant; ids of another tenant's views are simply not found.
 */
export function buildViewHandlers(deps: ViewRoutesDeps) {
  const change = (res: Response) => ({ by: credentialOf(res).actor, at: deps.now() });
  const audited = (req: Request, res: Response, target: string, before?: unknown, after?: unknown) =>
    recordChange(
      deps.audit,
      req,
      res,
      {
        action: 'view.change',
        target,
        ...(before !== undefined && { before }),
        ...(after !== undefined && { after }),
      },
      deps.now(),
    );
  return {
    'GET /api/v1/views': route(deps, async (views, _req, res) => {
      const { doc } = await views.read(credentialOf(res).tenant);
      return { views: listViews(doc) };
    }),
    'POST /api/v1/views': [
      json,
      route(
        deps,
        async (views, req, res) => {
          const input = parseViewBody(createViewBodySchema, req.body ?? {});
          const id = newViewId();
          const { view } = await views.update(credentialOf(res).tenant, (doc) =>
            createView(doc, { id, ...input }, change(res)),
          );
          await audited(req, res, view.id, undefined, view);
          return view;
        },
        201,
      ),
    ],
    'POST /api/v1/views/{id}/rename': [
      json,
      route(deps, async (views, req, res) => {
        const { name } = parseViewBody(renameViewBodySchema, req.body ?? {});
        const { before, view } = await views.update(credentialOf(res).tenant, (doc) =>
          renameView(doc, viewId(req), name, change(res)),
        );
        if (before !== view) await audited(req, res, view.id, before, view);
        return view;
      }),
    ],
    'DELETE /api/v1/views/{id}': route(deps, async (views, req, res) => {
      const { before } = await views.update(credentialOf(res).tenant, (doc) => deleteView(doc, viewId(req)));
      await audited(req, res, before.id, before);
      return undefined;
    }),
  };
}
