import { ConfigError } from '../shared/config-error.js';

const unitMs = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** The metrics retention of the embedded rollup (main.ts): older history would be deleted as it lands. */
export const maxHistoryMs = 30 * unitMs.d;

/** What `gravix dev` was asked for on its command line. */
export interface DevArgs {
  demo: boolean;
  /** `--history 8d`: back-dated demo traffic of this length, ending where the live traffic starts. */
  historyMs: number | undefined;
}

/** Reads --demo and --history D (`90m`, `36h`, `8d`); a bad value is a ConfigError naming it and the rule. */
export function parseDevArgs(argv: readonly string[]): DevArgs {
  refuseUnknownArgs(argv);
  const demo = argv.includes('--demo');
  const at = argv.indexOf('--history');
  if (at === -1) return { demo, historyMs: undefined };
  const raw = argv[at + 1];
  const problem = (rule: string) =>
    new ConfigError([`--history${raw === undefined ? '' : `=${JSON.stringify(raw)}`}: ${rule}`], {
      subject: 'gravix dev',
    });
  const match = raw === undefined ? null : /^([1-9]\d{0,4})([mhd])$/.exec(raw);
  if (!match) throw problem('must be a length such as 90m, 36h or 8d');
  const historyMs = Number(match[1]) * unitMs[match[2] as keyof typeof unitMs];
  if (historyMs > maxHistoryMs) throw problem('must be at most 30d (the embedded metrics retention)');
  if (!demo) throw problem('needs --demo (it back-dates the demo traffic)');
  return { demo, historyMs };
}

const valueFlags = new Set(['--history', '--alerts', '--tenants']);

/** A mistyped or unsupported flag (`--ingest-port 0`) is refused, not silently ignored while the defaults start. */
function refuseUnknownArgs(argv: readonly string[]): void {
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (valueFlags.has(arg)) i += 1;
    else if (arg !== '--demo')
      throw new ConfigError(
        [
          `${JSON.stringify(arg)}: not an argument of gravix dev (it takes --demo, --history D, --alerts FILE, --tenants FILE; see gravix dev --help)`,
        ],
        { subject: 'gravix dev' },
      );
  }
}
