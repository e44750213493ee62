import { ConfigError } from './config';
import { flushTraces } from './trace-context';
import { onParentExit } from './lifecycle';

/**
 * The entry point every service shares: start, and on SIGTERM/SIGINT, or when the process that
 * started it is gone (see onParentExit), stop cleanly. A bad configuration ends the process at
 * once with the message that names the variable.
 */
export function runService(name: string, start: () => Promise<{ stop(): Promise<void> }>): void {
  let service: { stop(): Promise<void> } | undefined;
  let stopping = false;
  const stop = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${name}: ${reason}, shutting down\n`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    try {
      await service?.stop();
      await flushTraces();
      process.exit(0);
    } catch (error) {
      process.stderr.write(`${name}: shutdown failed: ${(error as Error).message}\n`);
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM received'));
  process.once('SIGINT', () => void stop('SIGINT received'));
  onParentExit(() => void stop('the process that started it is gone'));
  Promise.resolve()
    .then(start)
    .then(
    (s) => {
      service = s;
    },
    (error) => {
      process.stderr.write(
        error instanceof ConfigError ? `${error.message}\n` : `${name}: failed to start: ${(error as Error).stack ?? error}\n`,
      );
      process.exit(1);
    },
  );
}
