/**
 * `tsx bench/profile-summary.ts <file.cpuprofile> [top]`: where a --cpu-prof profile spent its
 * time, as the functions with the most self time and the packages (or our files) they are in.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

const [file, topArg] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
const top = Number(topArg ?? 25);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
// Shares of busy time: idle time says how loaded the process was, not where its work went.
const idle = profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id);
for (const id of idle) selfUs.delete(id);
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

/** The npm package a script belongs to, or its path inside the repository. */
function area(url: string): string {
  if (!url) return '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '').replace(/^.*\/wt-\d+\//, '');
}

const functions = new Map<string, number>();
const areas = new Map<string, number>();
for (const [id, us] of selfUs) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const key = `${functionName || '(anonymous)'} ${area(url)}:${lineNumber + 1}`;
  functions.set(key, (functions.get(key) ?? 0) + us);
  areas.set(area(url), (areas.get(area(url)) ?? 0) + us);
}
const print = (title: string, entries: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [key, us] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`);
  }
};
console.log(`${file}: ${(total / 1e6).toFixed(1)} s busy`);
print('self time by function', functions);
print('self time by package or file', areas);
