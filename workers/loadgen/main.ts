import { parseArgs } from 'node:util';
import { z } from 'zod';
import { parseConfig } from '../shared/config-error.js';
import { buildLogger } from '../shared/logger.js';
import { postJson } from './post-json.js';
import { TrafficModel, type RequestFactBody } from './traffic-model.js';

const optionsSchema = z.object({
  url: z.url(),
  key: z.string().min(1),
  rate: z.coerce.number().positive().max(1_000_000).default(200),
  duration: z.coerce.number().int().positive().default(60),
  services: z.coerce.number().int().min(1).max(200).default(8),
  paths: z.coerce.number().int().min(1).max(500).default(12),
  seed: z.coerce.number().int().default(1),
  'deploy-every': z.coerce.number().int().positive().default(900),
  flat: z.boolean().default(false),
});

/** `flat` may be left out by programmatic callers (tests, gravix dev): the modelled day and week then apply. */
export type LoadgenOptions = Omit<z.infer<typeof optionsSchema>, 'flat'> & { flat?: boolean };

const post = async (url: string, key: string, path: string, body: unknown) =>
  (await postJson(url, key, path, body)).status;

/** Sends one second of modelled traffic per second of wall time; 429/503 are honoured by waiting. */
export async function runLoad(
  options: LoadgenOptions,
  onSecond?: (sent: number, status: number) => void,
  signal?: AbortSignal,
): Promise<{ sent: number; failed: number }> {
  const model = new TrafficModel({
    seed: options.seed,
    services: options.services,
    pathsPerService: options.paths,
    ratePerSecond: options.rate,
    flat: options.flat,
  });
  let [sent, failed] = [0, 0];
  for (let second = 0; second < options.duration && !signal?.aborted; second++) {
    const started = Date.now();
    const facts: RequestFactBody[] = model.second(started);
    const status = facts.length > 0 ? await post(options.url, options.key, '/api/v1/facts', facts) : 200;
    if (status === 200) sent += facts.length;
    else failed += facts.length;
    if (second % options['deploy-every'] === 0) {
      const service =
        model.endpoints[Math.floor(second / options['deploy-every']) % model.endpoints.length]!.service;
      await post(options.url, options.key, '/api/v1/events', {
        type: 'deploy',
        service,
        version: `v1.${second}`,
        timestamp: started,
      });
    }
    onSecond?.(facts.length, status);
    await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - started))));
  }
  return { sent, failed };
}

/** `gravix loadgen`: realistic traffic against any ingest URL. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(
      Object.keys(optionsSchema.shape).map((k) => [
        k,
        { type: k === 'flat' ? ('boolean' as const) : ('string' as const) },
      ]),
    ),
    strict: true,
  });
  if (!values['url'] || !values['key']) {
    process.stderr.write('gravix loadgen: --url and --key are required (gravix loadgen --help)\n');
    return 2;
  }
  const options = parseConfig(optionsSchema, values);
  const log = buildLogger('gravix-loadgen');
  const result = await runLoad(options, (n, status) => {
    if (status !== 200) log.warn({ status, facts: n }, 'batch not accepted');
  });
  log.info(result, 'load finished');
  return result.failed === 0 ? 0 : 1;
}
