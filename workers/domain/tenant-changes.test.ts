import type { TenantSettings } from '../../crds/gravix-tenant-spec.js';
import {
  emptyAuditedTenants,
  planTenantChanges,
  PROPAGATION_MS,
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
