import { z } from 'zod';
import { textRuleString } from '../../domain/text-rule-schema.js';
import { httpMethods } from '../../domain/request-vocabulary.js';

/**
 * What a saved view reproduces: the dashboard's filters as typed fields (docs/dashboard.md, "URL"; the same words
 * the page's query string uses). The page's table page and picked bucket are moments of one look, not part of a view.
 * The dashboard converts between this and its URL state (dashboards/web/src/domain/saved-view-state.ts); a unit
 * test there holds both vocabularies to each other.
 */
export const viewRangePresets = ['15m', '1h', '6h', '24h', '7d', '30d'] as const;
export const viewSteps = ['1m', '5m', '15m', '1h'] as const;
export const viewSorts = ['errors', 'error_rate', 'p95', 'requests'] as const;
export const viewCompares = ['1d', '7d'] as const;
export const viewMarkerKinds = ['deploy', 'incident', 'other', 'alert'] as const;

export const maxViewNameLength = 80;
export const maxServiceLength = 128;
export const maxPathLength = 2048;
/** Latest instant a custom range may name (JavaScript's largest Date). */
const maxInstant = 8.64e15;

/** Text under the one rule for client text (workers/domain/text-rule.ts), reported with its field. */
const text = textRuleString;

export const viewNameSchema = text(maxViewNameLength).refine((name) => name.trim() !== '', {
  message: 'must not be empty or only spaces',
});

const instant = z.number().int().min(0).max(maxInstant);

export const viewSettingsSchema = z
  .strictObject({
    range: z.enum(viewRangePresets).optional(),
    from: instant.optional(),
    to: instant.optional(),
    service: text(maxServiceLength).min(1).optional(),
    method: z.enum(httpMethods).optional(),
    path: text(maxPathLength).min(1).optional(),
    compare: z.enum(viewCompares).optional(),
    sort: z.enum(viewSorts).optional(),
    step: z.enum(viewSteps).optional(),
    tz: z.enum(['utc', 'local']).optional(),
    hide: z
      .array(z.enum(viewMarkerKinds))
      .max(viewMarkerKinds.length)
      .refine((kinds) => new Set(kinds).size === kinds.length, { message: 'must not repeat a marker type' })
      .optional(),
  })
  .superRefine((v, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if ((v.from === undefined) !== (v.to === undefined))
      issue(v.from === undefined ? 'from' : 'to', 'a custom range needs both from and to');
    if (v.from !== undefined && v.to !== undefined && v.from >= v.to) issue('to', 'must be after from');
    if (v.from !== undefined && v.range !== undefined)
      issue('range', 'a view has either a preset range or from/to, not both');
    if ((v.method === undefined) !== (v.path === undefined))
      issue(v.method === undefined ? 'method' : 'path', 'an endpoint needs both method and path');
    if (v.path !== undefined && v.service === undefined) issue('service', 'an endpoint needs its service');
  });

export type ViewSettings = z.infer<typeof viewSettingsSchema>;

export class InvalidViewError extends Error {
  readonly code = 'INVALID_VIEW';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Untrusted input to a typed value; the first problem is named by its field (`view.from`, `name`). */
export function parseViewBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data as z.infer<T>;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join('.') || 'body';
  throw new InvalidViewError(field, `${field}: ${issue.message}`);
}

export const createViewBodySchema = z.strictObject({ name: viewNameSchema, view: viewSettingsSchema });
export const renameViewBodySchema = z.strictObject({ name: viewNameSchema });
