import { launchPipeline } from './dev-launcher.js';
import { loadLauncherConfig } from './launcher-config.js';

/**
 * `gravix dev`: by default a small launcher that runs the pipeline (main.ts) in a child process started with
 * start-time memory settings (docs/adr/0109); in that child, or with GRAVIX_DEV_CHILD_PROCESS=false, the pipeline
 * itself. The pipeline's modules are imported only where it runs, so the launcher stays a bare node.
 */
export async function run(argv: string[]): Promise<number> {
  const config = loadLauncherConfig(process.env);
  if (config.launcherFd === undefined && config.childProcess) return launchPipeline(argv, config);
  const pipeline = await import('./main.js');
  return pipeline.run(argv, config.launcherFd);
}
