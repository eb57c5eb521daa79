import type { EnvVar, Volume, VolumeMount } from './k8s-imports.js';
import type { GravixPipeline } from '../crds/gravix-pipeline.js';

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
 * Where the OIDC client secret's Secret key is mounted. A file, not an environment variable: the kubelet swaps a
 * mounted Secret's files in place when the Secret changes and the query server reads the file at each sign-in
 * (workers/adapters/identity/client-secret-file.ts), so a rotated client secret applies without a restart.
 */
export const OIDC_CLIENT_SECRET_DIR = '/etc/gravix/oidc';
const OIDC_CLIENT_SECRET_FILE = 'client-secret';
const OIDC_CLIENT_SECRET_VOLUME = 'oidc-client-secret';

/** The client secret's volume (a projection of the one Secret key), or undefined for a public client. */
export function oidcClientSecretVolume(pipeline: GravixPipeline): Volume | undefined {
  const ref = pipeline.spec.query.oidc?.clientSecretRef;
  if (!ref) return undefined;
  const secret = { name: ref.name, items: [{ key: ref.key, path: OIDC_CLIENT_SECRET_FILE }] };
  // Owner and group (fsGroup) may read; nobody else. No subPath: a subPath mount is never updated.
  return { name: OIDC_CLIENT_SECRET_VOLUME, projected: { sources: [{ secret }], defaultMode: 0o440 } };
}

export function oidcClientSecretMounts(pipeline: GravixPipeline): VolumeMount[] {
  return oidcClientSecretVolume(pipeline)
    ? [{ name: OIDC_CLIENT_SECRET_VOLUME, mountPath: OIDC_CLIENT_SECRET_DIR, readOnly: true }]
    : [];
}

/**
 * Sign-in settings (workers/query/config.ts, GRAVIX_OIDC_*). Groups per role come from the tenants file every query
 * pod mounts (each GravixTenant's spec.roles), re-read at each sign-in; the client secret from its mounted file.
 */
function oidcEnv(pipeline: GravixPipeline): EnvVar[] {
  const { oidc } = pipeline.spec.query;
  if (!oidc) return [];
  const value = (name: string, v: string | undefined): EnvVar[] =>
    v === undefined ? [] : [{ name, value: v }];
  return [
    ...value('GRAVIX_OIDC_ISSUER', oidc.issuer),
    ...value('GRAVIX_OIDC_CLIENT_ID', oidc.clientId),
    ...value(
      'GRAVIX_OIDC_CLIENT_SECRET_FILE',
      oidc.clientSecretRef ? `${OIDC_CLIENT_SECRET_DIR}/${OIDC_CLIENT_SECRET_FILE}` : undefined,
    ),
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
