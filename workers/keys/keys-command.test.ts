import { parseKeysCommand } from './keys-command.js';

describe('gravix keys arguments', () => {
  it('turns each action into its API call', () => {
    expect(parseKeysCommand(['list'], {}, 0)).toEqual({ verb: 'list', method: 'GET', path: '/api/v1/keys' });
    expect(
      parseKeysCommand(['create'], { name: 'ci', scopes: 'ingest, query', 'expires-in-days': '2' }, 1000),
    ).toEqual({
      verb: 'create',
      method: 'POST',
      path: '/api/v1/keys',
      body: { name: 'ci', scopes: ['ingest', 'query'], expiresAt: 1000 + 2 * 86_400_000 },
    });
    expect(parseKeysCommand(['rotate', 'gk_0123456789abcdef'], { overlap: '30' }, 0)).toMatchObject({
      path: '/api/v1/keys/gk_0123456789abcdef/rotate',
      body: { overlapSeconds: 30 },
    });
    expect(parseKeysCommand(['revoke', 'gk_0123456789abcdef'], {}, 0)).toMatchObject({
      method: 'DELETE',
      path: '/api/v1/keys/gk_0123456789abcdef',
    });
  });

  it('refuses bad arguments before sending anything, naming the option and value', () => {
    expect(() => parseKeysCommand(['create'], { scopes: 'ingest' }, 0)).toThrow('create needs --name');
    expect(() =>
      parseKeysCommand(['create'], { name: 'x', scopes: 'query', 'expires-in-days': '0' }, 0),
    ).toThrow("--expires-in-days must be a whole number from 1 to 3650, got '0'");
    expect(() => parseKeysCommand(['create'], { name: 'x', scopes: 'ingest,root' }, 0)).toThrow(
      "--scopes must be a comma-separated list of ingest, query, operator, admin, got 'ingest,root'",
    );
    expect(() => parseKeysCommand(['revoke', '../../etc'], {}, 0)).toThrow(
      "revoke needs a key id (gk_ and 16 hex digits), got '../../etc'",
    );
    expect(() => parseKeysCommand(['rotate', 'gk_0123456789abcdef'], { overlap: '-1' }, 0)).toThrow(
      "--overlap must be a whole number from 0 to 2592000, got '-1'",
    );
    expect(() => parseKeysCommand(['delete'], {}, 0)).toThrow(
      "unknown action 'delete'; use list, create, rotate or revoke",
    );
  });
});
