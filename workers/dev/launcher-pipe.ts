import { Socket } from 'node:net';

/**
 * Calls `onGone` once when the launcher that started this process is gone: the launcher holds the only other end
 * of this pipe and never writes, so the end of the stream (or an error on it) means its process ended, however it
 * ended (SIGKILL, a crash, an OOM kill) — which a signal the launcher would have to send itself cannot promise.
 * The pipe does not keep this process alive.
 */
export function watchLauncher(fd: number, onGone: () => void): void {
  const pipe = new Socket({ fd, readable: true, writable: false });
  let called = false;
  const gone = () => {
    if (called) return;
    called = true;
    onGone();
  };
  pipe.on('end', gone);
  pipe.on('close', gone);
  pipe.on('error', gone);
  // Whatever arrives is read and dropped, so the end can be seen.
  pipe.resume();
  pipe.unref();
}
