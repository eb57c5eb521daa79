import { pino, type Logger } from 'pino';

/**
 * A pino logger at info whose lines a test reads back, parsed: how a test asserts what a component logged (a wait's
 * reason, a warning during an outage). `T` is the shape of the fields the test looks at.
 */
export function capturedLog<T = Record<string, unknown>>(): { log: Logger; lines: T[] } {
  const lines: T[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as T) });
  return { log, lines };
}
