// Preloaded (`node --require`) into a service process by gateway/test/edge.async-context.test.ts:
// writes one line to stderr the first time anything in the process runs code in an
// AsyncLocalStorage context (`run` or `enterWith`), with where it was called from. On Node 20
// and 22 that first call puts a hook on every promise the process makes from then on.
'use strict';
const { AsyncLocalStorage } = require('node:async_hooks');

let reported = false;
for (const method of ['run', 'enterWith']) {
  const original = AsyncLocalStorage.prototype[method];
  AsyncLocalStorage.prototype[method] = function probed(...args) {
    if (!reported) {
      reported = true;
      process.stderr.write(`async-context-probe: AsyncLocalStorage.${method} ${new Error().stack.split('\n').slice(2, 8).join(' | ')}\n`);
    }
    return original.apply(this, args);
  };
}
