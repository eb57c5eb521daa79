import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError, describeConfigProblem } from '../../shared/config-error.js';

/**
 * Where channels are declared: a file (a ConfigMap in Kubernetes) naming each channel's type and where its URL
 * and signing secret come from — an environment variable or a file (a mounted Secret). URLs are never in a rule
 * or a custom resource: a Slack webhook URL is itself a credential.
 */
const secretRef = z.union(
  [
    z.object({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name') }),
    z.object({ file: z.string().min(1) }),
  ],
  // zod's own words here are "Invalid input"; a URL written in place is the likely mistake.
  {
    error:
      'must be { env: VARIABLE_NAME } or { file: /path }, where the value is kept (never the value itself)',
  },
);
const channelSchema = z.object({
  name: z.string().regex(/^[a-z0-9][-a-z0-9]{0,62}$/, 'must be a channel name (lowercase, digits, -)'),
  type: z.enum(['slack', 'webhook', 'alertmanager']),
  url: secretRef,
  secret: secretRef.optional(),
});
const channelsFileSchema = z.object({ channels: z.array(channelSchema).max(64) });

export interface ChannelDefinition {
  name: string;
  type: 'slack' | 'webhook' | 'alertmanager';
  url: string;
  /** HMAC key of generic webhooks. */
  secret?: string;
}

function resolve(
  ref: z.infer<typeof secretRef>,
  env: Record<string, string | undefined>,
  what: string,
): string {
  if ('env' in ref) {
    const value = env[ref.env];
    if (!value) throw new Error(`${what}: environment variable ${ref.env} is not set`);
    return value.trim();
  }
  try {
    return readFileSync(ref.file, 'utf8').trim();
  } catch (error) {
    throw new Error(`${what}: cannot read ${ref.file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/** Reads and resolves the channels file; every problem at once, secrets never shown. */
export function loadNotificationChannels(
  path: string,
  env: Record<string, string | undefined>,
): ChannelDefinition[] {
  const subject = { subject: `alert channels (${path})` };
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError([`GRAVIX_ALERT_CHANNELS_FILE: ${(error as Error).message}`], subject);
  }
  const parsed = channelsFileSchema.safeParse(doc);
  if (!parsed.success)
    throw new ConfigError(
      parsed.error.issues.map((i) => describeConfigProblem(i.path, undefined, i.message)),
      subject,
    );
  const resolved = parsed.data.channels.map((c, i) => resolveChannel(c, i, env));
  const problems = resolved.flatMap((r) => r.problems);
  const names = parsed.data.channels.map((c) => c.name);
  for (const name of new Set(names.filter((n, i) => names.indexOf(n) !== i)))
    problems.push(`channels: name '${name}' is used twice`);
  if (problems.length > 0) throw new ConfigError(problems, subject);
  return resolved.flatMap((r) => (r.channel ? [r.channel] : []));
}

/** One channel's URL and secret, each read on its own so a start-up error names both when both are bad. */
function resolveChannel(
  c: z.infer<typeof channelsFileSchema>['channels'][number],
  i: number,
  env: Record<string, string | undefined>,
): { channel?: ChannelDefinition; problems: string[] } {
  const problems: string[] = [];
  const attempt = (read: () => string | undefined) => {
    try {
      return read();
    } catch (error) {
      problems.push((error as Error).message);
      return undefined;
    }
  };
  const url = attempt(() => {
    const value = resolve(c.url, env, `channels.${i}.url`);
    if (!/^https?:\/\//.test(value)) throw new Error(`channels.${i}.url: must be an http(s) URL`);
    return value;
  });
  const secret = attempt(() => (c.secret ? resolve(c.secret, env, `channels.${i}.secret`) : undefined));
  // No secret configured, or an empty one read (a failed read has said why already).
  if (c.type === 'webhook' && (c.secret === undefined || secret === ''))
    problems.push(`channels.${i}.secret: webhooks are signed; set a secret`);
  if (problems.length > 0 || url === undefined) return { problems };
  return { channel: { name: c.name, type: c.type, url, ...(secret ? { secret } : {}) }, problems };
}
