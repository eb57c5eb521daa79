import { z } from 'zod';

/**
 * The query server's settings in a GravixPipeline (spec.query): sign-in for people and trace links. Their rules at
 * admission are the query server's own (workers/query/config.ts, workers/query/domain/trace-url-template.ts), so a
 * query pod never crash-loops on a value the CRD let through; each CEL rule is also a zod refinement with the same
 * message (ADR 0060).
 */

const cel = (rule: string, message: string) => ({ rule, message });
const name = z.string().min(1).max(253);

/** A key of a Secret in the pipeline namespace: how the CR names a credential (never the value itself). */
export const secretKeyRef = z
  .object({
    name,
    key: z
      .string()
      .min(1)
      .max(253)
      .regex(/^[-._a-zA-Z0-9]+$/, 'must be a Secret key'),
  })
  .describe('a key of a Secret in the pipeline namespace');

// The query server refuses a template without {traceId} or with another scheme (workers/query/domain/
// trace-url-template.ts); the same two rules at admission, so a typo is refused before a pod crash-loops on it.
export const TRACE_URL_TEMPLATE_RULE = cel(
  "self.contains('{traceId}') && (self.startsWith('http://') || self.startsWith('https://'))",
  'traceUrlTemplate must be an http(s) URL containing {traceId}',
);
// Sign-in for people (docs/security.md, docs/adr/0076), the query server's GRAVIX_OIDC_* settings. Its rules at
// admission are the query server's own (workers/query/config.ts), so a pod never crash-loops on one.
export const OIDC_ISSUER_RULE = cel(
  "isURL(self.issuer) && (url(self.issuer).getScheme() == 'https' || " +
    "(self.allowHttp && url(self.issuer).getScheme() == 'http'))",
  'oidc.issuer must be an https URL (http only with oidc.allowHttp: tokens would cross the network unencrypted)',
);
const issuerScheme = (issuer: string) => {
  try {
    return new URL(issuer).protocol;
  } catch {
    return undefined;
  }
};
export const OIDC_REDIRECT_RULE = cel(
  "self.matches('^https?://[^/?#]+/api/v1/auth/callback$')",
  'oidc.redirectUrl must be an http(s) URL whose path is /api/v1/auth/callback',
);
const OIDC_REDIRECT = /^https?:\/\/[^/?#]+\/api\/v1\/auth\/callback$/;
export const oidcSchema = z
  .object({
    issuer: z.string().min(1).max(512).describe('the OpenID provider, e.g. https://dex.example.com/dex'),
    clientId: z.string().min(1).max(256),
    clientSecretRef: secretKeyRef
      .optional()
      .describe('the client secret, a key of a Secret in the pipeline namespace; unset: a public client'),
    redirectUrl: z
      .string()
      .max(2048)
      .regex(OIDC_REDIRECT, OIDC_REDIRECT_RULE.message)
      .meta({ 'x-kubernetes-validations': [OIDC_REDIRECT_RULE] })
      .optional()
      .describe(
        'the callback URL registered with the provider; unset: https://<ingress host>/api/v1/auth/callback',
      ),
    scopes: z.string().min(1).max(512).optional().describe('default: openid email profile groups'),
    groupsClaim: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .describe('the ID token claim with groups; default groups'),
    allowHttp: z.boolean().default(false).describe('accept a plain-HTTP issuer (one inside the cluster)'),
  })
  .meta({ 'x-kubernetes-validations': [OIDC_ISSUER_RULE] })
  .refine((o) => issuerScheme(o.issuer) === 'https:' || (o.allowHttp && issuerScheme(o.issuer) === 'http:'), {
    message: OIDC_ISSUER_RULE.message,
    path: ['issuer'],
  })
  .describe("sign-in for people; each tenant's groups per role come from its GravixTenant (spec.roles)");

export const traceUrlTemplateSchema = z
  .string()
  .max(2048)
  .refine((t) => t.includes('{traceId}') && /^https?:\/\//.test(t), TRACE_URL_TEMPLATE_RULE.message)
  .meta({ 'x-kubernetes-validations': [TRACE_URL_TEMPLATE_RULE] })
  .optional()
  .describe(
    'where exemplar trace links open (Tempo, Jaeger, Grafana Explore), e.g. http://tempo:3200/trace/{traceId}; ' +
      '{spanId} is filled in too; unset: exemplars without links',
  );
