import type { Request, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';
import type { Histogram } from 'prom-client';
import { requestIdOf, requestLogLevel } from '../../logging/logging.module';
import { AllExceptionsFilter } from './all-exceptions.filter';

/** What a hot route served outside Nest's pipeline answers: its status and envelope. */
export type PlainAnswer = [status: number, body: unknown];

const errors = new AllExceptionsFilter();

/**
 * Serves a request with a plain Express handler registered ahead of Nest's routes, for the few
 * routes every message crosses (the webhook ingest, REST sends), where Nest's per-request
 * pipeline (router, interceptors as rxjs observables, middleware) costs as much as the work. It
 * does the bookkeeping Nest and its middleware would, with the same answers: the request id
 * (`X-Request-Id`), the request duration metric under the route's pattern, errors through
 * AllExceptionsFilter into the envelope, and the request log line pino-http writes, at the
 * level it would. `answer` does the route's own guards, pipes and handler.
 */
export async function servePlain(
  req: Request,
  res: Response,
  route: { path: string; duration: Histogram<'method' | 'route' | 'status_code'> },
  answer: () => Promise<PlainAnswer>,
): Promise<void> {
  (req as Request & { id?: string }).id = requestIdOf(req, res);
  const started = Date.now();
  const stopTimer = route.duration.startTimer();
  let logged = false;
  const log = (): void => {
    if (!logged) {
      logged = true;
      logRequest(req, res, Date.now() - started);
    }
  };
  res.once('finish', () => {
    stopTimer({ method: req.method, route: route.path, status_code: String(res.statusCode) });
    log();
  });
  res.once('close', log);
  let status: number;
  let body: unknown;
  try {
    [status, body] = await answer();
  } catch (error) {
    [status, body] = errors.responseOf(error, req);
  }
  if (!res.headersSent) {
    res.status(status).json(body);
  }
}

/**
 * The line pino-http writes for a request, at the level it would: the same fields through the
 * same serializers, without the child logger pino-http makes for every request.
 */
function logRequest(req: Request, res: Response, responseTime: number): void {
  const level = requestLogLevel(req, res);
  const logger = PinoLogger.root;
  if (!logger?.isLevelEnabled(level)) {
    return;
  }
  if (res.statusCode >= 500) {
    const err = new Error(`failed with status code ${res.statusCode}`);
    logger[level]({ req, res, err, responseTime }, 'request errored');
  } else {
    logger[level]({ req, res, responseTime }, 'request completed');
  }
}
