import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { ConfigError } from '../../shared/config-error.js';

const KEY = 'GRAVIX_OIDC_CLIENT_SECRET_FILE';

function readSecret(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError([`${KEY}="${path}": cannot be read (${code})`], { subject: 'query' });
  }
  const secret = text.trim();
  if (secret === '') throw new ConfigError([`${KEY}="${path}": the file is empty`], { subject: 'query' });
  return secret;
}

/**
 * The OIDC client secret from a file (a mounted Secret key on Kubernetes, cdk8s/query-env.ts), read again at every
 * use: the kubelet swaps a mounted Secret's files in place, so a client secret rotated at the provider and in the
 * Secret applies at the next sign-in without restarting the query pods. Sign-ins are rare; a small file read each
 * is nothing next to the provider round trips around it.
 *
 * The first read is strict (the server does not start without a secret). A later read that fails keeps the last
 * good secret and warns once per distinct problem (never quoting the value): a file caught mid-swap must not stop
 * every sign-in.
 */
export class ClientSecretFile {
  private secret: string;
  private lastProblem = '';

  constructor(
    private readonly path: string,
    private readonly log: Logger,
  ) {
    this.secret = readSecret(path);
  }

  current(): string {
    try {
      const next = readSecret(this.path);
      if (this.lastProblem !== '') this.log.info({ path: this.path }, 'oidc client secret readable again');
      else if (next !== this.secret) this.log.info({ path: this.path }, 'oidc client secret changed');
      this.lastProblem = '';
      this.secret = next;
    } catch (error) {
      const problem = (error as ConfigError).problems?.join('; ') ?? (error as Error).message;
      if (problem !== this.lastProblem)
        this.log.warn({ problem }, 'oidc client secret re-read failed; keeping the last good one');
      this.lastProblem = problem;
    }
    return this.secret;
  }
}
