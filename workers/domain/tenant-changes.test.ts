import type { TenantSettings } from '../../crds/gravix-tenant-spec.js';
import {
  emptyAuditedTenants,
  planTenantChanges,
  planTenantTombstones,
  PROPAGATION_MS,
  TOMBSTONE_MS,
  type AuditedTenants,
  type TenantAuthor,
} from './tenant-changes.js';

const tenant = (id: string, eventsPerSecond?: number): TenantSettings => ({
  tenant: id,
  quotas: eventsPerSecond === undefined ? {} : { eventsPerSecond },
  roles: { viewer: [], operator: [], admin: [] },
});
let n = 0;
const plan = (
  audited: AuditedTenants,
  current: TenantSettings[],
  authors: Record<string, TenantAuthor> = {},
  at = 1000,
) =>
  planTenantChanges({
    audited,
    current,
    authors,
    at,
    nonce: () => (n++).toString(16).padStart(16, '0'),
  });
const author = (uid: string, generation: number, actor = 'manager:kubectl'): TenantAuthor => ({
  uid,
  generation,
  actor,
});

describe('tenant changes for the audit log', () => {
  it('records a created tenant with its actor and settings, then nothing for the same view again', () => {
    const first = plan(emptyAuditedTenants(), [tenant('acme', 10)], { acme: author('u1', 1) });
    expect(first.events).toEqual([
      {
        nonce: expect.any(String),
        at: 1000,
        tenant: 'acme',
        actor: 'manager:kubectl',
        after: tenant('acme', 10),
      },
    ]);
    expect(first.next.pending).toEqual(first.events);
    const again = plan({ ...first.next, pending: [] }, [tenant('acme', 10)], { acme: author('u1', 1) });
    expect(again.events).toEqual([]);
  });

  it('records a tenant removed from the embedded mode’s file (no authors) as deleted at once', () => {
    const audited = plan(emptyAuditedTenants(), [tenant('acme', 10)]).next;
    expect(plan({ ...audited, pending: [] }, []).events).toEqual([
      expect.objectContaining({ tenant: 'acme', before: tenant('acme', 10) }),
    ]);
  });

  it('records a change with before and after, and ignores key order', () => {
    const audited = plan(emptyAuditedTenants(), [tenant('acme', 10)]).next;
    const reordered = {
      roles: { admin: [], operator: [], viewer: [] },
      quotas: { eventsPerSecond: 10 },
      tenant: 'acme',
    };
    expect(plan({ ...audited, pending: [] }, [reordered as TenantSettings]).events).toEqual([]);
    const changed = plan({ ...audited, pending: [] }, [tenant('acme', 20)]);
    expect(changed.events).toEqual([
      expect.objectContaining({
        tenant: 'acme',
        actor: 'unknown',
        before: tenant('acme', 10),
        after: tenant('acme', 20),
      }),
    ]);
  });

  it('records a deletion with the settings before and an unknown actor, and remembers the deleted object', () => {
    const audited = plan(emptyAuditedTenants(), [tenant('acme', 10)], { acme: author('u1', 3) }).next;
    // A replica may not have the file that lists a tenant yet: missing is a deletion once propagation had time.
    expect(plan({ ...audited, pending: [] }, [], {}, 1000 + PROPAGATION_MS - 1).events).toEqual([]);
    const deleted = plan({ ...audited, pending: [] }, [], {}, 1000 + PROPAGATION_MS);
    expect(deleted.events).toEqual([
      {
        nonce: expect.any(String),
        at: 121_000,
        tenant: 'acme',
        actor: 'unknown',
        before: tenant('acme', 10),
      },
    ]);
    expect(deleted.next.deletedUids).toEqual(['u1']);
    expect(deleted.next.tenants).toEqual({});
  });

  it('lets a replica whose mounted file is behind change nothing: an older generation, or a deleted object', () => {
    const newer = plan(emptyAuditedTenants(), [tenant('acme', 20)], { acme: author('u1', 2) }).next;
    expect(plan({ ...newer, pending: [] }, [tenant('acme', 10)], { acme: author('u1', 1) }).events).toEqual(
      [],
    );
    const gone = plan({ ...newer, pending: [] }, [], {}, 1000 + PROPAGATION_MS).next;
    expect(plan({ ...gone, pending: [] }, [tenant('acme', 20)], { acme: author('u1', 2) }).events).toEqual(
      [],
    );
    // The same name as a new object (a new uid) is a new tenant.
    expect(plan({ ...gone, pending: [] }, [tenant('acme', 5)], { acme: author('u2', 1) }).events).toEqual([
      expect.objectContaining({ tenant: 'acme', after: tenant('acme', 5) }),
    ]);
  });

  it('keeps events still pending from an earlier decision beside new ones', () => {
    const first = plan(emptyAuditedTenants(), [tenant('acme')]);
    const second = plan(first.next, [tenant('acme'), tenant('zeta')]);
    expect(second.next.pending.map((e) => e.tenant)).toEqual(['acme', 'zeta']);
  });
});

describe('deletions the operator tombstoned', () => {
  it('records a tombstoned GravixTenant as deleted at once, and a replica that still lists it does not revive it', () => {
    const audited = plan(emptyAuditedTenants(), [tenant('acme', 10)], { acme: author('u1', 3) }).next;
    const deleted = planTenantChanges({
      audited: { ...audited, pending: [] },
      current: [],
      authors: {},
      deleted: { u1: { tenant: 'acme', at: 1500 } },
      at: 2000,
      nonce: () => 'f'.repeat(16),
    });
    expect(deleted.events).toEqual([
      { nonce: 'f'.repeat(16), at: 2000, tenant: 'acme', actor: 'unknown', before: tenant('acme', 10) },
    ]);
    expect(plan(deleted.next, [tenant('acme', 10)], { acme: author('u1', 3) }, 2500).events).toEqual([]);
  });

  it('does not take a tombstone of another uid (a tenant of the same name recreated) as this one’s deletion', () => {
    const audited = plan(emptyAuditedTenants(), [tenant('acme')], { acme: author('u2', 1) }).next;
    const next = planTenantChanges({
      audited: { ...audited, pending: [] },
      current: [],
      authors: {},
      deleted: { u1: { tenant: 'acme', at: 900 } },
      at: 2000,
      nonce: () => 'f'.repeat(16),
    });
    expect(next.events).toEqual([]);
  });
});

describe('the operator’s tombstones', () => {
  const file = (tenants: Record<string, TenantAuthor>, deleted = {}) => ({ tenants, deleted });

  it('adds one for each uid the previous file listed and the new authors do not, at the pass’s time', () => {
    const previous = file({ acme: author('u1', 1), shop: author('u2', 4) });
    expect(planTenantTombstones(previous, { shop: author('u2', 5) }, 10_000)).toEqual({
      u1: { tenant: 'acme', at: 10_000 },
    });
  });

  it('keeps earlier ones for TOMBSTONE_MS with their first time, so a steady pipeline renders the same file', () => {
    const previous = file({ shop: author('u2', 4) }, { u1: { tenant: 'acme', at: 10_000 } });
    const authors = { shop: author('u2', 4) };
    expect(planTenantTombstones(previous, authors, 10_000 + TOMBSTONE_MS - 1)).toEqual({
      u1: { tenant: 'acme', at: 10_000 },
    });
    expect(planTenantTombstones(previous, authors, 10_000 + TOMBSTONE_MS)).toEqual({});
  });

  it('has none without a previous file, and drops one whose uid is listed again', () => {
    expect(planTenantTombstones(undefined, { acme: author('u1', 1) }, 5)).toEqual({});
    const previous = file({}, { u1: { tenant: 'acme', at: 1 } });
    expect(planTenantTombstones(previous, { acme: author('u1', 1) }, 5)).toEqual({});
  });

  it('holds at most the newest 200', () => {
    const tenants = Object.fromEntries(
      Array.from({ length: 250 }, (_, i) => [`t${i}`, author(`u${i}`, 1)] as const),
    );
    const next = planTenantTombstones(file(tenants), {}, 7);
    expect(Object.keys(next)).toHaveLength(200);
  });
});
