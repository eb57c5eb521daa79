import { chromium, type Browser } from 'playwright-core';
import { testbinPaths } from './testbin-paths.js';

/**
 * Launches Debian's Chromium headless. The flags keep it from reaching out to
 * the network, which this machine refuses, and let it run as root; playwright
 * gives each launch a fresh profile directory. `args` adds flags, e.g.
 * `--host-resolver-rules=MAP host ip` to open a host name without DNS.
 */
export function launchChromium(options: { args?: string[] } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: testbinPaths().chromium,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...(options.args ?? []),
    ],
  });
}
