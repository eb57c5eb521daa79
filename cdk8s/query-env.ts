import type { EnvVar } from './k8s-imports.js';
import type { GravixPipeline } from '../crds/gravix-pipeline.js';
import { secretEnv } from './pipeline-config.js';

export const OIDC_CALLBACK_PATH = '/api/v1/auth/callback';

/** The provider's callback: the one given, else the Ingress host's (the CRD requires one of the two). */
export function oidcRedirectUrl(pipeline: GravixPipeline): string | undefined {
  const { oidc } = pipeline.spec.query;
  if (!oidc) return undefined;
  if (oidc.redirectUrl) return oidc.redirectUrl;
  const { host, tlsSecretName } = pipeline.spec.ingress;
  // https unless the Ingress serves plain HTTP: the scheme decides whether the session cookies are Secure.
  return host ? `${tlsSecretName ? 'https' : 'http'}://${host}${OIDC_CALLBACK_PATH}` : undefined;
}

/**
 * Sign-in settings (workers/query/config.ts, GRAVIX_OIDC_*). Groups per role come from the tenants file every query
 * pod mounts (each GravixTenant's spec.roles), re-read at each sign-in. The client secret is an env var from the
 * Secret key: the query server reads it once, so a rotated client secret applies when the query pods restart.
 */
function oidcEnv(pipeline: GravixPipeline): EnvVar[] {
  const { oidc } = pipeline.spec.query;
  if (!oidc) return [];
  const value = (name: string, v: string | undefined): EnvVar[] =>
    v === undefined ? [] : [{ name, value: v }];
  return [
    ...value('GRAVIX_OIDC_ISSUER', oidc.issuer),
    ...value('GRAVIX_OIDC_CLIENT_ID', oidc.clientId),
    ...(oidc.clientSecretRef
      ? [secretEnv('GRAVIX_OIDC_CLIENT_SECRET', oidc.clientSecretRef.name, oidc.clientSecretRef.key)]
      : []),
    ...value('GRAVIX_OIDC_REDIRECT_URL', oidcRedirectUrl(pipeline)),
    ...value('GRAVIX_OIDC_SCOPES', oidc.scopes),
    ...value('GRAVIX_OIDC_GROUPS_CLAIM', oidc.groupsClaim),
    ...value('GRAVIX_OIDC_ALLOW_HTTP', oidc.allowHttp ? 'true' : undefined),
  ];
}

/**
 * The query server's own settings from the pipeline (workers/query/config.ts names them); the shared ones come
 * from the pipeline ConfigMap. In the pod template, not the ConfigMap: only query reads them, and a change rolls
 * only the query pods.
 */
export function buildQueryEnv(pipeline: GravixPipeline): EnvVar[] {
  const { traceUrlTemplate } = pipeline.spec.query;
  return [
    ...(traceUrlTemplate === undefined
      ? []
      : [{ name: 'GRAVIX_TRACE_URL_TEMPLATE', value: traceUrlTemplate }]),
    ...oidcEnv(pipeline),
  ];
}
