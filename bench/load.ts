/**
 * The load generator, run as its own process so that it never shares a core's event loop with
 * what it measures. Reads one job as JSON from argv, runs autocannon, prints the figures as JSON.
 * Every answer is compared with `expectBody`: a gateway that answers differently under load
 * shows up as mismatches, not as a fast run.
 */
// autocannon ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon');

export interface LoadJob {
  url: string;
  headers: Record<string, string>;
  body: string;
  expectBody: string;
  connections: number;
  seconds: number;
  /** Requests per second across all connections; unset: as fast as answers come. */
  rate?: number;
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  mismatches: number;
}

const job = JSON.parse(process.argv[2]) as LoadJob;
autocannon(
  {
    url: job.url,
    method: 'POST',
    headers: job.headers,
    body: job.body,
    expectBody: job.expectBody,
    connections: job.connections,
    duration: job.seconds,
    ...(job.rate ? { overallRate: job.rate } : {}),
  },
  (error: Error | null, result: any) => { // eslint-disable-line @typescript-eslint/no-explicit-any
    if (error) {
      console.error(error);
      process.exit(1);
    }
    const out: LoadResult = {
      requests: result.requests.total,
      rps: result.requests.total / job.seconds,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.timeouts,
      non2xx: result.non2xx,
      mismatches: result.mismatches,
    };
    process.stdout.write(JSON.stringify(out));
  },
);
