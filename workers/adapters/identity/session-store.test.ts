import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Session } from '../../domain/session.js';
import { LocalObjectStore } from '../object-store/local-object-store.js';
import { ObjectSessionStore } from './session-store.js';

/** The real local store, whose reads can be held after they have read (a lookup in flight during a sign-out). */
class HeldReads extends LocalObjectStore {
  hold: Promise<void> | undefined;
  override async get(key: string) {
    const object = await super.get(key);
    await this.hold;
    return object;
  }
}

const session = (now: number): Session => ({
  tenant: 'acme',
  actor: 'user:a@example.com',
  subject: 's',
  issuer: 'https://idp.example.com',
  role: 'viewer',
  scopes: ['query'],
  csrf: 'c'.repeat(43),
  createdAt: now,
  expiresAt: now + 3_600_000,
});

function build() {
  const store = new HeldReads(mkdtempSync(join(tmpdir(), 'gx-sessions-')));
  return {
    store,
    sessions: new ObjectSessionStore(store, { cacheMs: 60_000, log: pino({ level: 'silent' }) }),
  };
}

describe('ObjectSessionStore', () => {
  it('finds a session by its id only, and never one past its expiry', async () => {
    const { sessions } = build();
    const now = Date.now();
    const id = await sessions.create(session(now));
    await expect(sessions.get(id, now)).resolves.toMatchObject({ actor: 'user:a@example.com' });
    await expect(sessions.get(id, now + 3_600_000)).resolves.toBeUndefined();
    await expect(sessions.get('x'.repeat(43), now)).resolves.toBeUndefined();
    await expect(sessions.get('not a token', now)).resolves.toBeUndefined();
  });

  it('refuses a signed-out session at once, even when a lookup that read it before the sign-out lands after', async () => {
    const { store, sessions } = build();
    const now = Date.now();
    const s = session(now);
    const id = await sessions.create(s);
    let release = () => {};
    store.hold = new Promise((r) => (release = r));
    const inFlight = sessions.get(id, now);
    await new Promise((r) => setTimeout(r, 50));
    await sessions.delete(id, s, now);
    release();
    await inFlight;
    store.hold = undefined;
    await expect(sessions.get(id, now + 1)).resolves.toBeUndefined();
  });
});
