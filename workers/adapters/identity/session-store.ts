import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { sessionKey } from '../../domain/identity-layout.js';
import { sessionSchema, tokenPattern, type Session } from '../../domain/session.js';
import type { ObjectStore } from '../object-store/object-store.js';

/** 32 random bytes, base64url: a session id, a CSRF token, a PKCE verifier, a state or a nonce. */
export const randomToken = () => randomBytes(32).toString('base64url');

const digest = (id: string) => createHash('sha256').update(id).digest('hex');

export interface SessionStoreOptions {
  /**
   * How long a looked-up session (or its absence) is trusted without reading the store again: the longest a
   * sign-out on one replica takes to reach another. The query server passes GRAVIX_KEYS_RELOAD_MS.
   */
  cacheMs: number;
  log: Logger;
  /** Entries kept in memory before the cache is dropped whole (random cookies must not grow it without bound). */
  maxCached?: number;
}

/**
 * People's sessions in the object store (docs/adr/0076): one create-only object per session under
 * `identity/sessions/`, named by the SHA-256 of its id, so every replica of the query server knows every session
 * and a sign-out deletes it for all of them. A short in-memory cache keeps a page's burst of calls to one store read.
 */
export class ObjectSessionStore {
  private readonly cache = new Map<string, { session: Session | undefined; until: number }>();
  /**
   * Sessions this replica ended, until they would have expired: a lookup that read the store just before the
   * delete must not put the session back into the cache (found by the sign-in test: a replayed cookie got 200
   * right after sign-out while the page's own calls were in flight).
   */
  private readonly ended = new Map<string, number>();

  constructor(
    private readonly store: ObjectStore,
    private readonly options: SessionStoreOptions,
  ) {}

  /** Stores a new session and returns its id (for the cookie only). */
  async create(session: Session): Promise<string> {
    const id = randomToken();
    await this.store.put(sessionKey(digest(id)), new TextEncoder().encode(JSON.stringify(session)), {
      ifNoneMatch: '*',
      contentType: 'application/json',
    });
    return id;
  }

  /** The live session of an id, or undefined (unknown, malformed, expired or signed out). */
  async get(id: string, now: number): Promise<Session | undefined> {
    if (!tokenPattern.test(id)) return undefined;
    const key = digest(id);
    if (this.ended.has(key)) return undefined;
    const cached = this.cache.get(key);
    const session = cached && cached.until > now ? cached.session : await this.load(key, now);
    return session && session.expiresAt > now ? session : undefined;
  }

  /** Ends a session: at once on this replica, within `cacheMs` on the others. */
  async delete(id: string, session: Session, now: number): Promise<void> {
    if (!tokenPattern.test(id)) return;
    const key = digest(id);
    for (const [k, until] of this.ended) if (until <= now) this.ended.delete(k);
    this.ended.set(key, session.expiresAt);
    this.cache.delete(key);
    await this.store.delete(sessionKey(key));
  }

  private async load(key: string, now: number): Promise<Session | undefined> {
    const object = await this.store.get(sessionKey(key));
    let session: Session | undefined;
    if (object) {
      const parsed = sessionSchema.safeParse(JSON.parse(new TextDecoder().decode(object.body)));
      if (parsed.success) session = parsed.data;
      else this.options.log.error({ key: sessionKey(key) }, 'session unreadable');
    }
    if (session && session.expiresAt <= now) {
      // Expired sessions are removed by the first request that finds them; nothing else reads them.
      await this.store.delete(sessionKey(key)).catch(() => undefined);
      session = undefined;
    }
    if (this.cache.size >= (this.options.maxCached ?? 10_000)) this.cache.clear();
    this.cache.set(key, { session, until: now + this.options.cacheMs });
    return session;
  }
}
