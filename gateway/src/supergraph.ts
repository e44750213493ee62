import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from '@aether/common';

/**
 * Serves the supergraph SDL from a file and hands every change to the gateway, which swaps
 * schemas without dropping requests. A broken file is logged and the previous schema kept.
 * Polling (`watchFile`) survives editors and deploy tools that replace the file by renaming.
 * `onLoad` sees each SDL before the gateway builds its services from it.
 */
export function supergraphFromFile(path: string, logger: Logger, onLoad: (sdl: string) => void = () => {}, intervalMs = 500): SupergraphSdlHook {
  return async ({ update }) => {
    const supergraphSdl = readFileSync(path, 'utf8');
    onLoad(supergraphSdl);
    let current = supergraphSdl;
    const onChange = () => {
      let next: string;
      try {
        next = readFileSync(path, 'utf8');
      } catch (error) {
        logger.error('cannot read supergraph, keeping the current one', { path, reason: (error as Error).message });
        return;
      }
      if (next === current) return;
      try {
        onLoad(next);
        update(next);
        current = next;
        logger.info('supergraph reloaded', { path });
      } catch (error) {
        logger.error('invalid supergraph, keeping the current one', { path, reason: (error as Error).message });
      }
    };
    watchFile(path, { interval: intervalMs }, onChange);
    return { supergraphSdl, cleanup: async () => unwatchFile(path, onChange) };
  };
}
