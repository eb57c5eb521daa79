import { z } from 'zod';
import { viewSettingsSchema, type ViewSettings } from './saved-view.js';

/**
 * A tenant's saved views: one document in the object store, changed by read + one of the pure steps below + a
 * conditional put (workers/query/adapters/saved-view-store.ts). One document, not one object per view, so a name
 * is unique within a tenant and the count is bounded without a lock: two operators saving at once both land, one
 * after a retry, and a name taken meanwhile is refused rather than stored twice.
 */
export const savedViewsFormat = 'gravix.saved-views/v1';
/** Enough for a team's incident bookmarks; bounds the document a list call reads. */
export const maxViewsPerTenant = 200;
export const viewIdPattern = /^sv_[0-9a-f]{16}$/;

/** The one owner of the object keys: a validated tenant id is a safe key segment. */
export const savedViewsPrefix = 'views/';
export const buildSavedViewsKey = (tenant: string) => `${savedViewsPrefix}tenant=${tenant}/views.json`;

const savedViewSchema = z.object({
  id: z.string().regex(viewIdPattern),
  name: z.string(),
  view: viewSettingsSchema,
  createdAt: z.number().int(),
  createdBy: z.string(),
  updatedAt: z.number().int(),
  updatedBy: z.string(),
});
export type SavedView = z.infer<typeof savedViewSchema>;

const docSchema = z.object({ format: z.literal(savedViewsFormat), views: z.array(savedViewSchema) });
export type SavedViewsDoc = z.infer<typeof docSchema>;

export const emptyViewsDoc = (): SavedViewsDoc => ({ format: savedViewsFormat, views: [] });

export class SavedViewsDocError extends Error {
  readonly code = 'SAVED_VIEWS_CORRUPT';
}

export function parseSavedViewsDoc(text: string, key: string): SavedViewsDoc {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new SavedViewsDocError(`${key} is not JSON`, { cause });
  }
  const parsed = docSchema.safeParse(raw);
  if (!parsed.success)
    throw new SavedViewsDocError(`${key} is not a saved views document: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

export class ViewNotFoundError extends Error {
  readonly code = 'NOT_FOUND';
}
export class ViewNameTakenError extends Error {
  readonly code = 'VIEW_NAME_TAKEN';
}
export class ViewLimitError extends Error {
  readonly code = 'VIEW_LIMIT_REACHED';
}

/** Names compare trimmed and case-blind: "Checkout" and "checkout " are one name to the person picking one. */
const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** By name, so the list reads the same on every call and every replica. */
export const listViews = (doc: SavedViewsDoc): SavedView[] =>
  [...doc.views].sort((a, b) => a.name.localeCompare(b.name, 'en') || a.id.localeCompare(b.id));

export interface Change {
  by: string;
  at: number;
}

export function createView(
  doc: SavedViewsDoc,
  input: { id: string; name: string; view: ViewSettings },
  change: Change,
): { doc: SavedViewsDoc; view: SavedView } {
  const name = input.name.trim();
  // Ids are 64 random bits: a repeat is a bug (a step replayed on its own result), never a second view.
  if (doc.views.some((v) => v.id === input.id)) throw new Error(`view id '${input.id}' is already taken`);
  if (doc.views.some((v) => sameName(v.name, name)))
    throw new ViewNameTakenError(`a view named '${name}' exists; pick another name or rename that view`);
  if (doc.views.length >= maxViewsPerTenant)
    throw new ViewLimitError(`a tenant keeps at most ${maxViewsPerTenant} views; delete one first`);
  const view: SavedView = {
    id: input.id,
    name,
    view: input.view,
    createdAt: change.at,
    createdBy: change.by,
    updatedAt: change.at,
    updatedBy: change.by,
  };
  return { doc: { ...doc, views: [...doc.views, view] }, view };
}

function find(doc: SavedViewsDoc, id: string): SavedView {
  const view = doc.views.find((v) => v.id === id);
  if (!view) throw new ViewNotFoundError(`no view '${id.slice(0, 40)}'`);
  return view;
}

export function renameView(
  doc: SavedViewsDoc,
  id: string,
  name: string,
  change: Change,
): { doc: SavedViewsDoc; before: SavedView; view: SavedView } {
  const before = find(doc, id);
  const trimmed = name.trim();
  if (before.name === trimmed) return { doc, before, view: before };
  if (doc.views.some((v) => v.id !== id && sameName(v.name, trimmed)))
    throw new ViewNameTakenError(`a view named '${trimmed}' exists; pick another name or rename that view`);
  const view = { ...before, name: trimmed, updatedAt: change.at, updatedBy: change.by };
  return { doc: { ...doc, views: doc.views.map((v) => (v.id === id ? view : v)) }, before, view };
}

export function deleteView(doc: SavedViewsDoc, id: string): { doc: SavedViewsDoc; before: SavedView } {
  const before = find(doc, id);
  return { doc: { ...doc, views: doc.views.filter((v) => v.id !== id) }, before };
}
