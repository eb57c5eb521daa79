import { run } from './main.js';

// Stand-alone entry (tests spawn it as a real process; the CLI goes through cli/subcommands.ts).
run(process.argv.slice(2)).then(
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
