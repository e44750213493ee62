import { unwatchFile, watchFile } from 'node:fs';
import type { Logger } from '@aether/common';
import { PersistedOperationList } from './operation-list';
import type { PersistedOperations } from './resolve';

/**
 * Reloads every manifest when one of them changes, so registering a client's operations needs no
 * restart; a broken manifest is logged and the current list kept. Polling, as for the
 * supergraph, survives deploy tools (and Kubernetes ConfigMaps) that replace files by renaming.
 */
export function watchManifests(
  operations: PersistedOperations,
  sources: Array<{ path: string; client?: string }>,
  logger: Logger,
  intervalMs = 500,
): () => void {
  const reload = () => {
    try {
      const list = PersistedOperationList.load(sources);
      operations.replaceList(list);
      logger.info('persisted operations reloaded', { operations: list.size });
    } catch (error) {
      logger.error('invalid persisted operations manifest, keeping the current list', { reason: (error as Error).message });
    }
  };
  const paths = [...new Set(sources.map((s) => s.path))];
  for (const path of paths) watchFile(path, { interval: intervalMs }, reload);
  return () => {
    for (const path of paths) unwatchFile(path, reload);
  };
}
