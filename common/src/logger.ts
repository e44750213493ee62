import { AsyncLocalStorage } from 'node:async_hooks';
import winston from 'winston';
import { activeTraceIds } from './trace-context';

/** What every log line of one request carries, wherever in the call tree it is written. */
export interface RequestContext {
  requestId: string;
  userId?: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

// Keys whose values must never reach a log line, at any depth.
const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|credential|signature|identity/i;

function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    out[key] = SECRET_KEY.test(key) ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

const addContext = winston.format((info) => {
  const ctx = requestContext.getStore();
  if (ctx) {
    info.requestId ??= ctx.requestId;
    if (ctx.userId) info.userId ??= ctx.userId;
  }
  const ids = activeTraceIds();
  if (ids) {
    info.trace_id ??= ids.traceId;
    info.span_id ??= ids.spanId;
  }
  for (const key of Object.keys(info)) {
    if (key === 'level' || key === 'message') continue;
    info[key] = SECRET_KEY.test(key) ? '[redacted]' : redact(info[key]);
  }
  return info;
});

export interface LoggerOptions {
  service: string;
  level?: string;
  /** json in production (one object a line), pretty for people at a terminal. */
  format?: 'json' | 'pretty';
  /** Extra transport, e.g. for tests that read what was logged. */
  stream?: NodeJS.WritableStream;
  /** Write to the console (default true). */
  console?: boolean;
}

export type Logger = winston.Logger;

/** A service's logger from its base settings (`LOG_LEVEL`, `LOG_FORMAT`: JSON in production, readable elsewhere). */
export function serviceLogger(service: string, config: { NODE_ENV: string; LOG_LEVEL: string; LOG_FORMAT?: 'json' | 'pretty' }): Logger {
  return createLogger({ service, level: config.LOG_LEVEL, format: config.LOG_FORMAT ?? (config.NODE_ENV === 'production' ? 'json' : 'pretty') });
}

export function createLogger(options: LoggerOptions): Logger {
  // winston formats every entry before its transports drop those below the level; dropping them
  // first spares each request the redaction walk and JSON of a line nobody will see.
  const enabled = winston.format((info) => (logger.isLevelEnabled(info.level) ? info : false));
  const format =
    options.format === 'json'
      ? winston.format.combine(enabled(), addContext(), winston.format.timestamp(), winston.format.json())
      : winston.format.combine(
          enabled(),
          addContext(),
          winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
          winston.format.colorize(),
          winston.format.printf(({ timestamp, level, message, service, requestId, ...rest }) => {
            const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
            const rid = requestId ? ` [${String(requestId).slice(0, 8)}]` : '';
            return `${timestamp} ${service} ${level}${rid}: ${message}${extra}`;
          }),
        );
  const transports: winston.transport[] = [];
  if (options.console !== false) transports.push(new winston.transports.Console({ stderrLevels: ['error'] }));
  if (options.stream) transports.push(new winston.transports.Stream({ stream: options.stream }));
  const logger = winston.createLogger({
    level: options.level ?? 'info',
    defaultMeta: { service: options.service },
    format,
    transports,
  });
  return logger;
}
