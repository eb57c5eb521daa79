import type { IncomingMessage } from 'node:http';
import type { Session } from '../../domain/session.js';
import { sessionCredential } from './authenticate.js';
import { HttpError } from './http-error.js';

const session = (overrides: Partial<Session> = {}): Session => ({
  tenant: 'acme',
  actor: 'user:vic@example.com',
  subject: 'sub-1',
  issuer: 'https://idp.example.com',
  role: 'viewer',
  scopes: ['query'],
  csrf: 'c'.repeat(43),
  createdAt: 0,
  expiresAt: 1,
  ...overrides,
});

const request = (method: string, csrf?: string) =>
  ({ method, headers: csrf === undefined ? {} : { 'x-csrf-token': csrf } }) as unknown as IncomingMessage;

function refusal(fn: () => unknown): [number, string, string] | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    return [error.status, error.code, error.message];
  }
}

describe('sessionCredential', () => {
  it('lets a viewer read without a CSRF token', () => {
    expect(sessionCredential(request('GET'), session(), 'query')).toEqual({
      tenant: 'acme',
      actor: 'user:vic@example.com',
      keyId: 'session',
      scopes: ['query'],
      role: 'viewer',
    });
  });

  it('refuses a change without the session CSRF token, or with a wrong one', () => {
    const admin = session({ role: 'admin', scopes: ['query', 'operator', 'admin'] });
    const message = "a signed-in request that changes something must carry the session's X-CSRF-Token header";
    expect(refusal(() => sessionCredential(request('POST'), admin, 'admin'))).toEqual([
      403,
      'CSRF_TOKEN_INVALID',
      message,
    ]);
    expect(refusal(() => sessionCredential(request('DELETE', 'd'.repeat(43)), admin, 'admin'))).toEqual([
      403,
      'CSRF_TOKEN_INVALID',
      message,
    ]);
    expect(sessionCredential(request('POST', 'c'.repeat(43)), admin, 'admin').role).toBe('admin');
  });

  it('names the person, role and tenant when the role does not grant the route', () => {
    expect(refusal(() => sessionCredential(request('POST', 'c'.repeat(43)), session(), 'admin'))).toEqual([
      403,
      'FORBIDDEN',
      "user:vic@example.com (role viewer in tenant acme) may not call this route: it needs 'admin'",
    ]);
  });
});
