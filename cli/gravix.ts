#!/usr/bin/env node
import { subcommands, wantsHelp } from './subcommands.js';

function usage(): string {
  const width = Math.max(...Object.keys(subcommands).map((name) => name.length));
  const lines = Object.entries(subcommands).map(([name, cmd]) => `  ${name.padEnd(width)}  ${cmd.summary}`);
  return [
    'usage: gravix <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    "'gravix <command> --help' describes a command's options and configuration.",
    '',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'help' && rest[0] !== undefined && subcommands[rest[0]]) return main([rest[0], '--help']);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = subcommands[name];
  if (!command) {
    process.stderr.write(`gravix: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  if (wantsHelp(rest)) {
    process.stdout.write(`${command.help}\n`);
    return 0;
  }
  const module = await command.load();
  return module.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const { code, message } = error as { code?: string; message?: string };
    process.stderr.write(
      `${JSON.stringify({ error: { code: code ?? 'INTERNAL', message: message ?? String(error) } })}\n`,
    );
    process.exitCode = 1;
  },
);
