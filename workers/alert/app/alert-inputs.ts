import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { parseAlertRulesFile } from '../../../crds/gravix-alert-rule.js';
import type { NamedAlertRule } from '../../../crds/gravix-alert-rule-spec.js';
import { ChannelSource } from '../adapters/channel-source.js';
import type { AlertConfig } from '../config.js';
import { ConfigError } from '../../shared/config-error.js';

/** The files the alert worker reads at start: its rules file (if any) and its channels (if any). */
export interface AlertInputs {
  rules: readonly NamedAlertRule[];
  channels: ChannelSource;
}

type InputSettings = Pick<
  AlertConfig,
  'GRAVIX_ALERT_RULES_FILE' | 'GRAVIX_ALERT_CHANNELS_FILE' | 'GRAVIX_ALERT_CHANNELS_REREAD_MS'
>;

/**
 * Reads and checks the rules file and the channels file strictly, before anything starts: a file the worker
 * cannot use is a configuration error at load time (docs/alerts.md), never one thrown after `gravix dev` has
 * started its servers and said it is ready (probe 5 found it then kept running, serving, with no alerts).
 */
export function loadAlertInputs(
  config: InputSettings,
  log: Logger,
  env: Record<string, string | undefined> = process.env,
): AlertInputs {
  const path = config.GRAVIX_ALERT_RULES_FILE;
  const rules = path ? parseAlertRulesFile(readRulesFile(path), path) : [];
  const channels = new ChannelSource({
    ...(config.GRAVIX_ALERT_CHANNELS_FILE ? { path: config.GRAVIX_ALERT_CHANNELS_FILE } : {}),
    env,
    rereadMs: config.GRAVIX_ALERT_CHANNELS_REREAD_MS,
    log,
  });
  const known = new Set(channels.current().map((c) => c.name));
  const unknown = rules.flatMap((r) =>
    r.channels
      .filter((name) => !known.has(name))
      .map(
        (name) =>
          `GRAVIX_ALERT_RULES_FILE: rule '${r.name}' names channel '${name}', which ${config.GRAVIX_ALERT_CHANNELS_FILE ? `${config.GRAVIX_ALERT_CHANNELS_FILE} does not define` : 'no GRAVIX_ALERT_CHANNELS_FILE defines'}`,
      ),
  );
  // A typo would otherwise cost every notification of the rule, with only a warning per evaluation in the log.
  // Rules put through the API or as GravixAlertRules change apart from the channels and are only warned about.
  if (unknown.length > 0) throw new ConfigError(unknown, { subject: 'alert' });
  return { rules, channels };
}

function readRulesFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError([`GRAVIX_ALERT_RULES_FILE: cannot read ${path}: ${code}`], { subject: 'alert' });
  }
}
