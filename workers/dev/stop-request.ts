import { watchLauncher } from './launcher-pipe.js';

/** Why the pipeline stops: a stop signal, or its launcher died (then it must not outlive it for long). */
export type StopReason = 'signal' | 'launcher-gone';

/**
 * Resolves with the first stop request. Started by the launcher (`launcherFd` set), the pipeline keeps handling
 * SIGINT and SIGTERM after the first, so a second one (a supervisor signalling every process of the group, say)
 * cannot end it in the middle of its drain; run in-process, a second Ctrl-C still ends it at once, as node does.
 */
export function waitForStopRequest(launcherFd: number | undefined): Promise<StopReason> {
  return new Promise<StopReason>((resolve) => {
    const onSignal = () => resolve('signal');
    const listen = launcherFd === undefined ? process.once.bind(process) : process.on.bind(process);
    listen('SIGTERM', onSignal);
    listen('SIGINT', onSignal);
    if (launcherFd !== undefined) watchLauncher(launcherFd, () => resolve('launcher-gone'));
  });
}
