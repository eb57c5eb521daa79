import fc from 'fast-check';
import {
  createView,
  deleteView,
  emptyViewsDoc,
  listViews,
  maxViewsPerTenant,
  parseSavedViewsDoc,
  renameView,
  ViewLimitError,
  ViewNameTakenError,
  ViewNotFoundError,
  type SavedViewsDoc,
} from './saved-views-doc.js';
import { InvalidViewError, createViewBodySchema, parseViewBody, renameViewBodySchema } from './saved-view.js';
import { hostileTextSeeds } from '../testing/hostile-text.js';

const by = { by: 'key:ops', at: 1_700_000_000_000 };
const id = (n: number) => `sv_${n.toString(16).padStart(16, '0')}`;
const make = (doc: SavedViewsDoc, n: number, name: string) =>
  createView(doc, { id: id(n), name, view: { range: '7d' } }, by).doc;

describe('saved views document steps', () => {
  it('stores a view trimmed, with who made it and when, and lists views by name', () => {
    let doc = make(emptyViewsDoc(), 1, '  Payments 7d ');
    doc = make(doc, 2, 'Checkout p95');
    expect(listViews(doc).map((v) => v.name)).toEqual(['Checkout p95', 'Payments 7d']);
    expect(doc.views[0]).toEqual({
      id: id(1),
      name: 'Payments 7d',
      view: { range: '7d' },
      createdAt: by.at,
      createdBy: 'key:ops',
      updatedAt: by.at,
      updatedBy: 'key:ops',
    });
  });

  it('refuses a second view of the same name, compared trimmed and case-blind', () => {
    const doc = make(emptyViewsDoc(), 1, 'Checkout');
    expect(() => make(doc, 2, ' checkout ')).toThrow(
      new ViewNameTakenError("a view named 'checkout' exists; pick another name or rename that view"),
    );
    const two = make(doc, 2, 'Search');
    expect(() => renameView(two, id(2), 'CHECKOUT', by)).toThrow(ViewNameTakenError);
  });

  it('renames to its own name with another case, and keeps the document when nothing changes', () => {
    const doc = make(emptyViewsDoc(), 1, 'Checkout');
    expect(renameView(doc, id(1), 'Checkout', by).doc).toBe(doc);
    expect(renameView(doc, id(1), 'CHECKOUT', { by: 'user:a@b', at: 5 }).view).toMatchObject({
      name: 'CHECKOUT',
      updatedBy: 'user:a@b',
      updatedAt: 5,
      createdBy: 'key:ops',
    });
  });

  it('refuses the view past the per-tenant limit and names an unknown id', () => {
    let doc = emptyViewsDoc();
    for (let n = 0; n < maxViewsPerTenant; n++) doc = make(doc, n, `view ${n}`);
    expect(() => make(doc, 9999, 'one more')).toThrow(
      new ViewLimitError(`a tenant keeps at most ${maxViewsPerTenant} views; delete one first`),
    );
    expect(() => deleteView(doc, 'sv_nope')).toThrow(new ViewNotFoundError("no view 'sv_nope'"));
    expect(() => renameView(doc, 'x'.repeat(500), 'a', by)).toThrow(
      new ViewNotFoundError(`no view '${'x'.repeat(40)}'`),
    );
  });

  it('keeps names unique, ids unique and the count bounded over any sequence of changes', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('create' as const),
        n: fc.nat(30),
        name: fc.constantFrom('a', 'A', 'b ', 'c'),
      }),
      fc.record({
        kind: fc.constant('rename' as const),
        n: fc.nat(30),
        name: fc.constantFrom('a', 'B', 'c', 'd'),
      }),
      fc.record({ kind: fc.constant('delete' as const), n: fc.nat(30), name: fc.constant('') }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        let doc = emptyViewsDoc();
        for (const o of ops) {
          try {
            if (o.kind === 'create') doc = make(doc, o.n, o.name);
            else if (o.kind === 'rename') doc = renameView(doc, id(o.n), o.name, by).doc;
            else doc = deleteView(doc, id(o.n)).doc;
          } catch (error) {
            const { code, message } = error as { code?: string; message: string };
            if (code === undefined) expect(message).toBe(`view id '${id(o.n)}' is already taken`);
            else expect(['VIEW_NAME_TAKEN', 'NOT_FOUND', 'VIEW_LIMIT_REACHED']).toContain(code);
          }
        }
        const names = doc.views.map((v) => v.name.toLowerCase());
        expect(new Set(names).size).toBe(names.length);
        expect(new Set(doc.views.map((v) => v.id)).size).toBe(doc.views.length);
        // What is stored reads back as a document.
        expect(parseSavedViewsDoc(JSON.stringify(doc), 'k')).toEqual(doc);
      }),
    );
  });

  it('refuses a stored document that is not one, naming its key', () => {
    expect(() => parseSavedViewsDoc('{', 'views/tenant=a/views.json')).toThrow(
      'views/tenant=a/views.json is not JSON',
    );
    expect(() => parseSavedViewsDoc('{"format":"other","views":[]}', 'k')).toThrow(
      /^k is not a saved views document/,
    );
  });
});

describe('saved view bodies (untrusted input)', () => {
  const create = (body: unknown) => parseViewBody(createViewBodySchema, body);
  const refusal = (body: unknown) => {
    try {
      create(body);
    } catch (error) {
      if (error instanceof InvalidViewError) return { field: error.field, message: error.message };
      throw error;
    }
    return undefined;
  };

  it('takes every filter the dashboard keeps', () => {
    const view = {
      service: 'checkout',
      method: 'POST',
      path: '/api/v1/orders/:id',
      range: '7d',
      compare: '7d',
      sort: 'p95',
      step: '1h',
      tz: 'utc',
      hide: ['deploy', 'other'],
    };
    expect(create({ name: 'Checkout orders', view })).toEqual({ name: 'Checkout orders', view });
    expect(create({ name: 'x', view: { from: 1, to: 2 } }).view).toEqual({ from: 1, to: 2 });
  });

  it.each([
    [{ view: {} }, 'name', 'name: Invalid input: expected string, received undefined'],
    [{ name: '   ', view: {} }, 'name', 'name: must not be empty or only spaces'],
    [{ name: 'a'.repeat(81), view: {} }, 'name', 'name: must be at most 80 characters'],
    [{ name: 'a\u0007b', view: {} }, 'name', 'name: must not contain control characters (U+0007 at 1)'],
    [{ name: 'a', view: { from: 5 } }, 'view.to', 'view.to: a custom range needs both from and to'],
    [{ name: 'a', view: { from: 5, to: 5 } }, 'view.to', 'view.to: must be after from'],
    [
      { name: 'a', view: { from: 1, to: 5, range: '1h' } },
      'view.range',
      'view.range: a view has either a preset range or from/to, not both',
    ],
    [
      { name: 'a', view: { service: 's', path: '/x' } },
      'view.method',
      'view.method: an endpoint needs both method and path',
    ],
    [
      { name: 'a', view: { method: 'GET', path: '/x' } },
      'view.service',
      'view.service: an endpoint needs its service',
    ],
    [
      { name: 'a', view: { hide: ['deploy', 'deploy'] } },
      'view.hide',
      'view.hide: must not repeat a marker type',
    ],
    [
      { name: 'a', view: { range: '2d' } },
      'view.range',
      expect.stringMatching(/^view\.range: Invalid option/),
    ],
    [{ name: 'a', view: { unknown: 1 } }, 'view', expect.stringMatching(/^view: Unrecognized key/)],
    [{ name: 'a', view: {}, extra: 1 }, 'body', expect.stringMatching(/^body: Unrecognized key/)],
    [{ name: 'a', view: { from: -1, to: 2 } }, 'view.from', expect.stringMatching(/^view\.from: Too small/)],
    [
      { name: 'a', view: { service: 's'.repeat(129) } },
      'view.service',
      'view.service: must be at most 128 characters',
    ],
  ])('refuses %j, naming %s', (body, field, message) => {
    expect(refusal(body)).toEqual({ field, message });
  });

  it('keeps hostile text as text, and counts characters as code points', () => {
    for (const text of hostileTextSeeds)
      expect(create({ name: text, view: { service: text, method: 'GET', path: text } }).view.path).toBe(text);
    expect(create({ name: '\u{1F600}'.repeat(80), view: {} }).name).toHaveLength(160);
    expect(refusal({ name: '\u{1F600}'.repeat(81), view: {} })?.field).toBe('name');
    expect(refusal({ name: '\uD800', view: {} })).toEqual({
      field: 'name',
      message: 'name: must be valid Unicode (it has a lone surrogate)',
    });
    expect(parseViewBody(renameViewBodySchema, { name: 'b' })).toEqual({ name: 'b' });
  });
});
