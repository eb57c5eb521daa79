import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadQueryConfig } from '../config.js';
import { loadOidcRoles } from './load-sign-in.js';

const base = { GRAVIX_API_KEYS_FILE: '/k.json' };

function problems(env: Record<string, string>): string {
  try {
    loadQueryConfig({ ...base, ...env });
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('the query server sign-in settings', () => {
  it('needs nothing when no issuer is set', () => {
    expect(loadQueryConfig(base).GRAVIX_OIDC_ISSUER).toBeUndefined();
  });

  it('names every setting an issuer still needs, at once', () => {
    expect(problems({ GRAVIX_OIDC_ISSUER: 'https://idp.example.com' })).toBe(
      'invalid configuration: GRAVIX_OIDC_CLIENT_ID: GRAVIX_OIDC_CLIENT_ID is required when GRAVIX_OIDC_ISSUER is set; ' +
        'GRAVIX_OIDC_REDIRECT_URL: GRAVIX_OIDC_REDIRECT_URL is required when GRAVIX_OIDC_ISSUER is set; ' +
        'GRAVIX_OIDC_ROLES_FILE: GRAVIX_OIDC_ROLES_FILE is required when GRAVIX_OIDC_ISSUER is set (or GRAVIX_TENANTS_FILE with roles)',
    );
  });

  it('refuses a plain-HTTP issuer unless allowed, and a redirect URL that is not the callback', () => {
    const complete = {
      GRAVIX_OIDC_ISSUER: 'http://dex.gravix.svc:5556/dex',
      GRAVIX_OIDC_CLIENT_ID: 'gravix',
      GRAVIX_OIDC_REDIRECT_URL: 'https://gravix.example.com/api/v1/auth/callback',
      GRAVIX_OIDC_ROLES_FILE: '/roles.yaml',
    };
    expect(problems(complete)).toMatch(
      /GRAVIX_OIDC_ISSUER: a plain-HTTP issuer needs GRAVIX_OIDC_ALLOW_HTTP=true/,
    );
    expect(problems({ ...complete, GRAVIX_OIDC_ALLOW_HTTP: 'true' })).toBe('');
    expect(
      problems({
        ...complete,
        GRAVIX_OIDC_ALLOW_HTTP: 'true',
        GRAVIX_OIDC_REDIRECT_URL: 'https://g.example.com/cb',
      }),
    ).toBe('invalid configuration: GRAVIX_OIDC_REDIRECT_URL: must end in /api/v1/auth/callback');
  });

  it('takes the client secret from the environment or from a file, not both', () => {
    const complete = {
      GRAVIX_OIDC_ISSUER: 'https://idp.example.com',
      GRAVIX_OIDC_CLIENT_ID: 'gravix',
      GRAVIX_OIDC_REDIRECT_URL: 'https://gravix.example.com/api/v1/auth/callback',
      GRAVIX_OIDC_ROLES_FILE: '/roles.yaml',
    };
    expect(problems({ ...complete, GRAVIX_OIDC_CLIENT_SECRET_FILE: '/etc/gravix/oidc/client-secret' })).toBe(
      '',
    );
    expect(
      problems({
        ...complete,
        GRAVIX_OIDC_CLIENT_SECRET: 's3cr3t-value',
        GRAVIX_OIDC_CLIENT_SECRET_FILE: '/etc/gravix/oidc/client-secret',
      }),
    ).toBe(
      'invalid configuration: GRAVIX_OIDC_CLIENT_SECRET_FILE: set GRAVIX_OIDC_CLIENT_SECRET_FILE or ' +
        'GRAVIX_OIDC_CLIENT_SECRET, not both',
    );
  });
});

describe('loadOidcRoles', () => {
  const file = (text: string) => {
    const path = join(mkdtempSync(join(tmpdir(), 'gx-roles-')), 'roles.yaml');
    writeFileSync(path, text);
    return path;
  };

  it('reads YAML with roles left out as no groups', () => {
    expect(loadOidcRoles(file('tenants:\n  - tenant: acme\n    groups:\n      admin: [ops]\n'))).toEqual({
      tenants: [{ tenant: 'acme', groups: { viewer: [], operator: [], admin: ['ops'] } }],
    });
  });

  it('names every bad entry with its place in the file', () => {
    expect(() =>
      loadOidcRoles(file('tenants:\n  - tenant: acme\n    groups:\n      admins: [ops]\n')),
    ).toThrow(
      'invalid query configuration: GRAVIX_OIDC_ROLES_FILE.tenants.0.groups: Unrecognized key: "admins"',
    );
  });
});
