import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Logger } from './logger';
import { requestContext } from './logger';
import { REQUEST_ID_HEADER } from './identity';
import { ServiceMetrics, withTimeout } from './metrics';

/** One dependency `/ready` asks about: resolves when it answers, rejects when it does not. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<unknown>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** Whose X-Forwarded-For is believed (load balancers and proxies on private networks); Express's `trust proxy`. */
export const TRUSTED_PROXIES = 'loopback, linklocal, uniquelocal';

/** The request id of an incoming request: the caller's if it is sane, otherwise a new one. */
export function requestIdOf(header: unknown): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

// Route labels are a fixed list, so that scanners probing random paths cannot grow /metrics.
const METRIC_ROUTES = new Set(['/graphql', '/health', '/ready', '/metrics', '/.well-known/jwks.json']);

/**
 * The HTTP shell every service shares: request ids (taken from `x-request-id` or made up,
 * echoed back, and put on every log line of the request), `GET /health` (the process is
 * alive), `GET /ready` (every dependency answers) and `GET /metrics` (Prometheus; the
 * registry is `app.locals.metrics`, which `mountSubgraph` adds operation metrics to).
 *
 * The request's id is `res.locals.requestId`, and who made it `res.locals.userId` once known.
 * With `requestContext` (the default) the request also runs in `requestContext`, so every log
 * line written on its behalf carries them without being told. A service that carries them
 * explicitly instead passes `requestContext: false`: on Node 20 and 22, AsyncLocalStorage puts a
 * hook on every promise the process makes, about a tenth of the gateway's CPU per request.
 */
export function createServiceApp(options: { logger: Logger; checks: ReadinessCheck[]; metrics?: ServiceMetrics; requestContext?: boolean }): express.Express {
  const app = express();
  const metrics = options.metrics ?? new ServiceMetrics(String(options.logger.defaultMeta?.service ?? 'service'));
  metrics.watch(options.checks);
  app.locals.metrics = metrics;
  app.disable('x-powered-by');
  app.set('trust proxy', TRUSTED_PROXIES);
  app.use((req, res, next) => {
    const requestId = requestIdOf(req.headers[REQUEST_ID_HEADER]);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    res.locals.requestId = requestId;
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      if (options.logger.isLevelEnabled('http')) {
        options.logger.http('request', {
          requestId,
          ...(res.locals.userId ? { userId: res.locals.userId as string } : {}),
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        });
      }
      const route = METRIC_ROUTES.has(req.path) ? req.path : 'other';
      metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
    });
    if (options.requestContext === false) next();
    else requestContext.run({ requestId }, () => next());
  });
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/metrics', async (_req, res) => {
    const { contentType, body } = await metrics.scrape();
    res.setHeader('content-type', contentType);
    res.send(body);
  });
  app.get('/ready', async (_req, res) => {
    const results = await Promise.all(
      options.checks.map(async ({ name, check }) => {
        try {
          await withTimeout(check(), 2000);
          return [name, 'ok'] as const;
        } catch (error) {
          options.logger.warn('readiness check failed', { check: name, reason: (error as Error).message });
          return [name, 'down'] as const;
        }
      }),
    );
    const ready = results.every(([, state]) => state === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) });
  });
  return app;
}

/** Listens on `port` (0 for any free one) and resolves with the bound port. */
export function listen(server: Server, port: number, host = '0.0.0.0'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops accepting, lets in-flight requests finish for up to `graceMs`, then drops the rest. */
export function closeServer(server: Server, graceMs = 5000): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
