/** How often a process started by an npm script checks that npm is still there. */
const PARENT_POLL_MS = 500;

/**
 * Calls `onGone` once when the process that started this one goes away, so that a service never
 * outlives the command that ran it.
 *
 * - Started with an IPC channel (by `npm start`'s scripts/start.ts): the channel closes when the
 *   parent ends, however it ends, SIGKILL included.
 * - Started by an npm script (`npm start -w <workspace>`): npm exits on SIGTERM without passing
 *   the signal on, so the only trace is that this process is re-parented; poll for it.
 * - Anything else (a container's PID 1, systemd, `nohup`): the parent's lifetime says nothing
 *   about ours, so nothing is watched.
 */
export function onParentExit(onGone: () => void): void {
  if (process.channel) {
    // The channel must not keep the process alive by itself.
    process.channel.unref();
    process.once('disconnect', onGone);
    return;
  }
  if (!process.env.npm_lifecycle_event) return;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, PARENT_POLL_MS);
  timer.unref();
}
