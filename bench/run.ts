/** `npm run bench`: every benchmark, one after another, printing Markdown tables for the README. */
import { benchSubscriptions } from './subscriptions';
import { benchTracing } from './tracing';

benchSubscriptions()
  .then(benchTracing)
  .then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
