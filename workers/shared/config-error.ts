import type { z } from 'zod';

/**
 * Every bad configuration key at once, each naming the key, the value it was given and the rule. The one
 * configuration error of every deployable (workers and operator); `subject` names whose configuration it is.
 */
export class ConfigError extends Error {
  readonly code = 'INVALID_CONFIG';
  constructor(
    readonly problems: string[],
    options: { subject?: string } = {},
  ) {
    super(`invalid ${options.subject ? `${options.subject} ` : ''}configuration: ${problems.join('; ')}`);
  }
}

/** Values of these keys never reach an error message or a log. */
const secretKey = /SECRET|PASSWORD|TOKEN|CREDENTIAL/i;
const maxShownValueLength = 80;

/**
 * `KEY="value": rule`, JSON-quoted so blanks and control characters show; `KEY: rule` when the key is unset or
 * secret, or when the rule is a refinement, whose message is written for it and names what it compares.
 */
export function describeConfigProblem(
  path: readonly PropertyKey[],
  value: unknown,
  rule: string,
  refinement = false,
): string {
  const key = path.map(String).join('.') || '(root)';
  if (value === undefined || refinement || secretKey.test(key)) return `${key}: ${rule}`;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const shown = text.length > maxShownValueLength ? `${text.slice(0, maxShownValueLength)}...` : text;
  return `${key}=${JSON.stringify(shown)}: ${rule}`;
}

export function parseConfig<S extends z.ZodType>(
  schema: S,
  input: Record<string, unknown>,
  options: { subject?: string } = {},
): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((i) =>
      describeConfigProblem(
        i.path,
        i.path.length > 0 ? input[String(i.path[0])] : undefined,
        i.message,
        i.code === 'custom',
      ),
    ),
    options,
  );
}

/** Runs several config parsers and reports the problems of all of them together. */
export function parseAll<A, B>(a: () => A, b: () => B): [A, B] {
  const problems: string[] = [];
  const attempt = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const [ra, rb] = [attempt(a), attempt(b)];
  if (problems.length > 0) throw new ConfigError(problems);
  return [ra as A, rb as B];
}
