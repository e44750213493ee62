/**
 * `npm run bench`: every benchmark, one after another, printing Markdown tables for the README.
 * `npm run bench -- side-by-side`, `-- subscriptions` or `-- tracing` runs one; `--quick` runs the
 * side-by-side comparison in short rounds only (under five minutes).
 */
import { buildForBench } from './deployment';
import { benchSideBySide } from './side-by-side';
import { benchSubscriptions } from './subscriptions';
import { benchTracing } from './tracing';

async function main(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const only = args.find((a) => !a.startsWith('--'));
  const known = ['side-by-side', 'subscriptions', 'tracing'];
  if (only && !known.includes(only)) throw new Error(`unknown benchmark ${only}: ${known.join(', ')}`);
  buildForBench();
  if (!only || only === 'side-by-side') await benchSideBySide({ quick });
  if (only === 'subscriptions' || (!only && !quick)) await benchSubscriptions();
  if (only === 'tracing' || (!only && !quick)) await benchTracing();
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
