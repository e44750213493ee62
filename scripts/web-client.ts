import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `npm ci && npm start` on a fresh clone has no built web client (dist/ is not committed):
 * build it once, here, so the web server has something to serve.
 */
export function ensureWebClientBuilt(root: string, say: (message: string) => void): void {
  if (existsSync(join(root, 'clients', 'web', 'dist', 'index.html'))) return;
  say('building the web client (first start)…');
  const result = spawnSync('npm', ['run', 'build', '-w', '@aether/web'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('building the web client failed (npm run build -w @aether/web)');
}
