import { Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { pino, type Logger } from 'pino';
import { pinoHttp, type HttpLogger, type Options as HttpOptions } from 'pino-http';
import { AppConfig } from '../config/app-config';
import { redactUrl } from './redact';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * The 003 ingest receives an engine's every event: its accepted requests are logged at debug
 * (an info line each would be most of the log and a measurable share of the CPU); rejected
 * ones still warn.
 */
function isIngest(req: IncomingMessage): boolean {
  return req.method === 'POST' && (req.url ?? '').split('?')[0] === '/api/v1/webhook';
}

/** The request's id: a well-formed `X-Request-Id` it brought, else a new one; echoed in the answer. */
export function requestIdOf(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('x-request-id', id);
  return id;
}

/** The level a finished request is logged at. */
export function requestLogLevel(
  req: IncomingMessage,
  res: ServerResponse,
  error?: Error,
): 'error' | 'warn' | 'debug' | 'info' {
  return error || res.statusCode >= 500
    ? 'error'
    : res.statusCode >= 400
      ? 'warn'
      : isIngest(req)
        ? 'debug'
        : 'info';
}

/** The process's pino logger for a configuration: one per AppConfig (tests boot several apps). */
const roots = new WeakMap<AppConfig, Logger>();

export function rootLogger(config: AppConfig): Logger {
  let root = roots.get(config);
  if (!root) {
    root = pino({
      level: config.logLevel,
      formatters: { level: (label: string) => ({ level: label }) },
      redact: {
        paths: [
          'req.headers',
          'headers.authorization',
          'headers["x-api-key"]',
          '*.password',
          '*.apiKey',
        ],
        censor: '[redacted]',
      },
    });
    roots.set(config, root);
  }
  return root;
}

/** How pino-http logs a request (a new object each time: pino-http consumes its options). */
function requestLogging(config: AppConfig): HttpOptions<IncomingMessage, ServerResponse> {
  return {
    logger: rootLogger(config),
    genReqId: requestIdOf,
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(req.url),
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: requestLogLevel,
    autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' },
  };
}

/**
 * The request log middleware (pino-http): one line per request with its id, method, redacted URL,
 * status and duration. Mounted by `createApp` in place of nestjs-pino's own middleware, which would
 * bind the request's logger in an AsyncLocalStorage: on Node 20 an enabled AsyncLocalStorage runs
 * a hook for every promise the process creates (Baileys' included), about a tenth of the CPU of a
 * sent message (README, "CPU per sent message"). So the lines services write while serving a
 * request do not carry its id; the request's own line does.
 */
export function requestLogger(config: AppConfig): HttpLogger {
  return pinoHttp(requestLogging(config));
}

/**
 * Structured JSON logs (pino) for Nest's Logger (nestjs-pino). Requests are logged as method,
 * redacted URL, status and duration only: never headers (API keys), bodies (message text) or
 * credential query parameters.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      // no routes: the request middleware is `requestLogger`, mounted by createApp
      useFactory: (config: AppConfig) => ({ pinoHttp: requestLogging(config), forRoutes: [] }),
    }),
  ],
})
export class LoggingModule {}
