import { z } from 'zod';
import { ConfigError, parseConfig } from './config-error.js';

const schema = z.object({
  GRAVIX_PORT: z.coerce.number().int().max(65535),
  GRAVIX_MODE: z.enum(['a', 'b']).default('a'),
  GRAVIX_S3_SECRET_ACCESS_KEY: z.string().min(8),
  GRAVIX_NAME: z.string().regex(/^[a-z]+$/),
  GRAVIX_FROM: z.string().refine((v) => v === 'now', { error: (i) => `'${String(i.input)}' is not 'now'` }),
});

function problemsOf(input: Record<string, unknown>, options?: { subject?: string }): ConfigError {
  try {
    parseConfig(
      schema,
      { GRAVIX_S3_SECRET_ACCESS_KEY: 'long enough', GRAVIX_NAME: 'x', GRAVIX_FROM: 'now', ...input },
      options,
    );
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('ConfigError', () => {
  it('names every bad key with the value it was given and the rule, all at once', () => {
    const error = problemsOf({ GRAVIX_PORT: '99999', GRAVIX_MODE: 'c' });
    expect(error.problems).toEqual([
      'GRAVIX_PORT="99999": Too big: expected number to be <=65535',
      'GRAVIX_MODE="c": Invalid option: expected one of "a"|"b"',
    ]);
    expect(error.message).toBe(`invalid configuration: ${error.problems.join('; ')}`);
    expect(error.code).toBe('INVALID_CONFIG');
  });

  it('says a required key is missing without inventing a value', () => {
    expect(problemsOf({ GRAVIX_PORT: undefined }).problems).toEqual([
      'GRAVIX_PORT: Invalid input: expected number, received NaN',
    ]);
  });

  it('never shows the value of a secret key', () => {
    const error = problemsOf({ GRAVIX_PORT: '1', GRAVIX_S3_SECRET_ACCESS_KEY: 'hunter2' });
    expect(error.problems).toEqual([
      'GRAVIX_S3_SECRET_ACCESS_KEY: Too small: expected string to have >=8 characters',
    ]);
    expect(error.message).not.toContain('hunter2');
  });

  it('quotes the value so blanks and control characters show, and cuts a long one', () => {
    expect(problemsOf({ GRAVIX_PORT: '1', GRAVIX_NAME: 'a b\n' }).problems).toEqual([
      'GRAVIX_NAME="a b\\n": Invalid string: must match pattern /^[a-z]+$/',
    ]);
    const long = 'X'.repeat(500);
    expect(problemsOf({ GRAVIX_PORT: '1', GRAVIX_NAME: long }).problems).toEqual([
      `GRAVIX_NAME="${'X'.repeat(80)}...": Invalid string: must match pattern /^[a-z]+$/`,
    ]);
  });

  it('leaves a refinement its own message, which names what it compares', () => {
    expect(problemsOf({ GRAVIX_PORT: '1', GRAVIX_FROM: 'yesterday' }).problems).toEqual([
      "GRAVIX_FROM: 'yesterday' is not 'now'",
    ]);
  });

  it("names whose configuration it is when told (the operator's)", () => {
    expect(problemsOf({ GRAVIX_PORT: 'x' }, { subject: 'operator' }).message).toMatch(
      /^invalid operator configuration: GRAVIX_PORT="x": /,
    );
  });
});
