/**
 * The load generator, run as its own process so that it never shares a core's event loop with
 * what it measures. Reads one job as JSON from stdin, runs autocannon, prints the figures as JSON.
 * Requests go round-robin over the job's callers (one request each in turn, whichever
 * connection sends it), so concurrent requests come from different callers and no gateway is
 * flattered by sharing one caller's identical fetches. Every answer is compared with its
 * caller's `expectBody`: a gateway that answers differently under load shows up as mismatches,
 * not as a fast run.
 */
// autocannon ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon');

/** One caller: its request headers and the exact answer it must get. */
export interface LoadCaller {
  headers: Record<string, string>;
  expectBody: string;
}

export interface LoadJob {
  url: string;
  callers: LoadCaller[];
  body: string;
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

let next = 0;
let mismatches = 0;

function run(job: LoadJob): void {
  autocannon(
    {
      url: job.url,
      method: 'POST',
      headers: job.callers[0].headers,
      body: job.body,
      requests: [
        {
          setupRequest: (request: { headers: Record<string, string> }, context: { caller: number }) => {
            context.caller = next++ % job.callers.length;
            request.headers = job.callers[context.caller].headers;
            return request;
          },
          onResponse: (_status: number, body: string, context: { caller: number }) => {
            if (body !== job.callers[context.caller].expectBody) mismatches++;
          },
        },
      ],
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
        mismatches: result.mismatches + mismatches,
      };
      process.stdout.write(JSON.stringify(out));
    },
  );
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => (input += chunk));
process.stdin.on('end', () => run(JSON.parse(input) as LoadJob));
