import express, { type NextFunction, type Request, type Response } from 'express';
import { RULE_NAME_PATTERN } from '../../../crds/gravix-alert-rule-spec.js';
import { InvalidAlertRuleError, parseAlertRuleBody } from '../../../crds/gravix-alert-rule.js';
import { recordChange, type AuditSink } from '../../shared/http/audit-change.js';
import { credentialOf } from '../../shared/http/authenticate.js';
import { HttpError } from '../../shared/http/http-error.js';
import type { AlertStore } from '../adapters/alert-store.js';
import { silenceBodySchema } from '../domain/silence.js';
import { buildAlertsView } from './alerts-view.js';

export interface AlertRoutesDeps {
  /** Absent when the server has no alerting (every call is then a 503). */
  alerts: AlertStore | undefined;
  now: () => number;
  /** Every rule and silence change is recorded here before it is answered (docs/security.md, "Audit log"). */
  audit: AuditSink;
}

type Handler = (req: Request, res: Response) => Promise<unknown>;
const tenantOf = (res: Response) => credentialOf(res).tenant;
const maxHistory = 500;

function wrap(
  deps: AlertRoutesDeps,
  handler: (alerts: AlertStore, req: Request, res: Response) => Promise<unknown>,
): Handler {
  return async (req, res) => {
    if (!deps.alerts) throw new HttpError(503, 'ALERTS_UNAVAILABLE', 'this server has no alert store');
    return handler(deps.alerts, req, res);
  };
}

function route(handler: Handler, status = 200) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const body = await handler(req, res);
      if (body === undefined) res.status(204).end();
      else res.status(status).json(body);
    } catch (error) {
      if (error instanceof InvalidAlertRuleError)
        next(new HttpError(400, error.code, error.message, error.field ? { field: error.field } : {}));
      else next(error);
    }
  };
}

function ruleName(req: Request): string {
  const name = String(req.params['name']);
  if (!new RegExp(RULE_NAME_PATTERN).test(name))
    throw new HttpError(400, 'INVALID_ALERT_RULE', `rule name '${name.slice(0, 80)}' must be a DNS label`, {
      field: 'name',
    });
  return name;
}

function timeParam(req: Request, name: string, fallback: number): number {
  const raw = req.query[name];
  if (raw === undefined) return fallback;
  const value = typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value))
    throw new HttpError(400, 'INVALID_QUERY_PARAMETER', `${name} must be ms since epoch`, { field: name });
  return value;
}

const json = express.json({ limit: '64kb' });

/**
 * The alert routes' handlers for the query server's route table (workers/shared/http/route-table.ts gives their
 * scopes: admin for rules and silences, which decide who gets paged; query for GET /api/v1/alerts). Rules are the
 * tenant's own: the caller's tenant is the rule's tenant.
 */
export function buildAlertHandlers(deps: AlertRoutesDeps) {
  return {
    ...ruleHandlers(deps),
    'GET /api/v1/alerts': route(
      wrap(deps, async (a, req, res) => {
        const now = deps.now();
        const from = timeParam(req, 'from', now - 7 * 86_400_000);
        const to = timeParam(req, 'to', now + 60_000);
        // As every other from/to of the API (query-params.ts parseRange): a reversed or empty window is an error,
        // not an empty history.
        if (from >= to)
          throw new HttpError(
            400,
            'INVALID_QUERY_PARAMETER',
            `from must be before to (from=${from}, to=${to})`,
            {
              field: 'from',
            },
          );
        const tenant = tenantOf(res);
        return buildAlertsView(await a.listStates(tenant), await a.listHistory(tenant, from, to, maxHistory));
      }),
    ),
    ...silenceHandlers(deps),
  };
}

function ruleHandlers(deps: AlertRoutesDeps) {
  const missing = (req: Request) => new HttpError(404, 'NOT_FOUND', `no alert rule '${ruleName(req)}'`);
  return {
    'GET /api/v1/alert-rules': route(
      wrap(deps, async (a, _req, res) => ({ rules: await a.listRules(tenantOf(res)) })),
    ),
    'GET /api/v1/alert-rules/{name}': route(
      wrap(deps, async (a, req, res) => {
        const rule = await a.getRule(tenantOf(res), ruleName(req));
        if (!rule) throw missing(req);
        return rule;
      }),
    ),
    'PUT /api/v1/alert-rules/{name}': [
      json,
      route(
        wrap(deps, async (a, req, res) => {
          const tenant = tenantOf(res);
          const body = (req.body ?? {}) as { selector?: { tenant?: unknown } };
          if (body.selector?.tenant !== undefined && body.selector.tenant !== tenant)
            throw new HttpError(
              400,
              'INVALID_ALERT_RULE',
              `selector.tenant must be the key's tenant '${tenant}'`,
              {
                field: 'selector.tenant',
              },
            );
          const rule = parseAlertRuleBody({ ...body, selector: { ...body.selector, tenant } }, ruleName(req));
          const before = await a.getRule(tenant, rule.name);
          await a.putRule(tenant, rule);
          const change = { action: 'rule.change', target: rule.name, before, after: rule } as const;
          await recordChange(deps.audit, req, res, change, deps.now());
          return rule;
        }),
      ),
    ],
    'DELETE /api/v1/alert-rules/{name}': route(
      wrap(deps, async (a, req, res) => {
        const name = ruleName(req);
        const before = await a.getRule(tenantOf(res), name);
        if (!(await a.deleteRule(tenantOf(res), name))) throw missing(req);
        const change = { action: 'rule.change', target: name, before } as const;
        await recordChange(deps.audit, req, res, change, deps.now());
        return undefined;
      }),
    ),
  };
}

function silenceHandlers(deps: AlertRoutesDeps) {
  return {
    'GET /api/v1/alert-silences': route(
      wrap(deps, async (a, _req, res) => ({ silences: await a.listSilences(tenantOf(res)) })),
    ),
    'POST /api/v1/alert-silences': [
      json,
      route(
        wrap(deps, async (a, req, res) => {
          const parsed = silenceBodySchema.safeParse(req.body ?? {});
          if (!parsed.success) {
            const issue = parsed.error.issues[0]!;
            const field = issue.path.join('.') || 'body';
            throw new HttpError(400, 'INVALID_SILENCE', `${field}: ${issue.message}`, { field });
          }
          const { expiresAt, comment, ...matchers } = parsed.data;
          const expires = typeof expiresAt === 'number' ? expiresAt : Date.parse(expiresAt);
          if (expires <= deps.now())
            throw new HttpError(400, 'INVALID_SILENCE', 'expiresAt must be in the future', {
              field: 'expiresAt',
            });
          const caller = credentialOf(res);
          const silence = await a.addSilence({
            tenant: caller.tenant,
            matchers,
            createdAt: deps.now(),
            expiresAt: expires,
            comment,
            createdBy: caller.actor,
          });
          const change = { action: 'silence.change', target: silence.id, after: silence } as const;
          await recordChange(deps.audit, req, res, change, deps.now());
          return silence;
        }),
        201,
      ),
    ],
    'DELETE /api/v1/alert-silences/{id}': route(
      wrap(deps, async (a, req, res) => {
        const id = String(req.params['id']);
        const before = (await a.listSilences(tenantOf(res))).find((s) => s.id === id);
        if (!(await a.deleteSilence(tenantOf(res), id)))
          throw new HttpError(404, 'NOT_FOUND', `no silence '${id.slice(0, 40)}'`);
        await recordChange(
          deps.audit,
          req,
          res,
          { action: 'silence.change', target: id, before },
          deps.now(),
        );
        return undefined;
      }),
    ),
  };
}
