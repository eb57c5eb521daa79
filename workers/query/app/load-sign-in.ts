import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import { mergeTenantRoles, oidcRolesSchema, type OidcRoles } from '../../domain/oidc-roles.js';
import type { LiveTenants } from '../../adapters/tenants/live-tenants.js';
import { StoreSignInThrottle } from '../../adapters/identity/store-sign-in-throttle.js';
import { AuditLog } from '../../adapters/identity/audit-log.js';
import { ClientSecretFile } from '../../adapters/identity/client-secret-file.js';
import { OidcProvider } from '../../adapters/identity/oidc-provider.js';
import { ObjectSessionStore } from '../../adapters/identity/session-store.js';
import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { ConfigError, describeConfigProblem } from '../../shared/config-error.js';
import type { QueryConfig } from '../config.js';
import type { SignInDeps } from '../http/sign-in-routes.js';

/** The roles file (YAML or JSON): every bad entry reported at once, as a ConfigError naming the file's keys. */
export function loadOidcRoles(path: string): OidcRoles {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new ConfigError([`GRAVIX_OIDC_ROLES_FILE="${path}": ${(cause as Error).message}`], {
      subject: 'query',
    });
  }
  const result = oidcRolesSchema.safeParse(raw);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((i) =>
      describeConfigProblem(['GRAVIX_OIDC_ROLES_FILE', ...i.path], undefined, i.message),
    ),
    { subject: 'query' },
  );
}

/** The client secret: a file re-read at each use (Kubernetes), a fixed value from the environment, or none. */
function clientSecret(config: QueryConfig, log: Logger): { clientSecret?: () => string } {
  if (config.GRAVIX_OIDC_CLIENT_SECRET_FILE) {
    const file = new ClientSecretFile(config.GRAVIX_OIDC_CLIENT_SECRET_FILE, log);
    return { clientSecret: () => file.current() };
  }
  const fixed = config.GRAVIX_OIDC_CLIENT_SECRET;
  return fixed ? { clientSecret: () => fixed } : {};
}

/** Sign-in for people when GRAVIX_OIDC_ISSUER is set (config.ts has checked the rest is there), else undefined. */
export function loadSignIn(
  config: QueryConfig,
  store: ObjectStore,
  log: Logger,
  tenants: LiveTenants,
): SignInDeps | undefined {
  if (!config.GRAVIX_OIDC_ISSUER) return undefined;
  const redirectUrl = config.GRAVIX_OIDC_REDIRECT_URL!;
  const fileRoles = config.GRAVIX_OIDC_ROLES_FILE ? loadOidcRoles(config.GRAVIX_OIDC_ROLES_FILE) : undefined;
  return {
    // Read at each sign-in: a GravixTenant's groups apply once the tenants file is re-read, without a restart.
    get roles() {
      return mergeTenantRoles(fileRoles, tenants.all());
    },
    provider: new OidcProvider({
      issuer: config.GRAVIX_OIDC_ISSUER,
      clientId: config.GRAVIX_OIDC_CLIENT_ID!,
      ...clientSecret(config, log),
      redirectUrl,
      scopes: config.GRAVIX_OIDC_SCOPES,
      allowHttp: config.GRAVIX_OIDC_ALLOW_HTTP === 'true',
      timeoutMs: 10_000,
    }),
    groupsClaim: config.GRAVIX_OIDC_GROUPS_CLAIM,
    sessions: new ObjectSessionStore(store, { cacheMs: config.GRAVIX_KEYS_RELOAD_MS, log }),
    secure: new URL(redirectUrl).protocol === 'https:',
    sessionTtlMs: config.GRAVIX_SESSION_TTL_MS,
    audit: new AuditLog(store, log),
    throttle: new StoreSignInThrottle(
      store,
      {
        perSource: config.GRAVIX_SIGNIN_MAX_FAILURES_PER_SOURCE,
        perAccount: config.GRAVIX_SIGNIN_MAX_FAILURES_PER_ACCOUNT,
        windowMs: config.GRAVIX_SIGNIN_FAILURE_WINDOW_MS,
      },
      log,
    ),
    log,
  };
}
