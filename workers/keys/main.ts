import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { KeysUsageError, parseKeysCommand } from './keys-command.js';

/** The query server did not answer (not running, wrong --url): exit 1 with its address, not undici's "fetch failed". */
export class QueryServerUnreachableError extends Error {
  readonly code = 'QUERY_SERVER_UNREACHABLE';
}

/** The admin key: --key, else GRAVIX_KEY, else the file named by --key-file (gravix dev's <data dir>/dev-api-key). */
function adminKey(values: Record<string, string | undefined>): string | undefined {
  if (values['key']) return values['key'];
  if (process.env['GRAVIX_KEY']) return process.env['GRAVIX_KEY'];
  if (values['key-file']) return readFileSync(values['key-file'], 'utf8').trim();
  return undefined;
}

/** `gravix keys list|create|rotate|revoke`: the key API from the command line; prints the answer as JSON. */
export async function run(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        url: { type: 'string' },
        key: { type: 'string' },
        'key-file': { type: 'string' },
        name: { type: 'string' },
        scopes: { type: 'string' },
        'expires-in-days': { type: 'string' },
        overlap: { type: 'string' },
      },
    });
    const call = parseKeysCommand(positionals, values, Date.now());
    const key = adminKey(values);
    if (!key) throw new KeysUsageError('an admin key is required: --key, GRAVIX_KEY or --key-file');
    const url = values['url'] ?? process.env['GRAVIX_URL'] ?? 'http://127.0.0.1:8080';
    const res = await fetch(new URL(call.path, url), {
      method: call.method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...('body' in call && { body: JSON.stringify(call.body) }),
    }).catch((error: unknown) => {
      // undici says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, ...) is in its cause.
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? String(error);
      throw new QueryServerUnreachableError(`cannot reach the query server at ${url}: ${reason}`, {
        cause: error,
      });
    });
    const text = await res.text();
    (res.ok ? process.stdout : process.stderr).write(`${text.trimEnd()}\n`);
    return res.ok ? 0 : 1;
  } catch (error) {
    const usage =
      error instanceof KeysUsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`gravix keys: ${(error as Error).message}\n`);
    return usage ? 2 : 1;
  }
}
