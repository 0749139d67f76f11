import { Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
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

/**
 * Structured JSON logs (pino) with a request id on every line of a request. Requests are
 * logged as method, redacted URL, status and duration only: never headers (API keys),
 * bodies (message text) or credential query parameters.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.logLevel,
          formatters: { level: (label: string) => ({ level: label }) },
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
        },
      }),
    }),
  ],
})
export class LoggingModule {}
