/**
 * With tracing off, a service never loads the OpenTelemetry SDK: loading it and its
 * instrumentations took about 2 s of the gateway's start on a busy machine (long enough to miss
 * the federation audit's 5 s start timeout). Each case runs a fresh Node process, as a service's
 * entry point would, and lists the SDK modules it loaded.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@aether/common';

/** Whether `startTracing` in a fresh process with `env` loaded `@opentelemetry/sdk-node`. */
function sdkLoaded(env: Record<string, string>): boolean {
  const script = `
    const { startTracing } = require(${JSON.stringify(join(repoRoot, 'common/src/tracing.ts'))});
    const sdk = startTracing({ serviceName: 'probe' });
    const loaded = Object.keys(require.cache).some((path) => path.includes('@opentelemetry/sdk-node'));
    console.log(JSON.stringify({ loaded, started: Boolean(sdk) }));
    if (sdk) sdk.shutdown();`;
  const out = execFileSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
  const { loaded, started } = JSON.parse(out.trim().split('\n').at(-1)!) as { loaded: boolean; started: boolean };
  expect(started).toBe(loaded);
  return loaded;
}

describe('tracing: the SDK is loaded only when traces go somewhere', () => {
  it('does not load the SDK without an exporter', () => {
    expect(sdkLoaded({})).toBe(false);
    expect(sdkLoaded({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_SDK_DISABLED: 'true' })).toBe(false);
  });

  it('loads and starts it with one', () => {
    expect(sdkLoaded({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
  });
});
