import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';
import { RequestRateLimiter } from '../../access/rate-limit.guard';
import { AllExceptionsFilter } from '../../common/http/all-exceptions.filter';
import { ok } from '../../common/http/envelope';
import { requestIdOf, requestLogLevel } from '../../logging/logging.module';
import { MetricsService } from '../../metrics/metrics.service';
import { IngestAuth } from './ingest-auth.guard';
import { IngestService } from './ingest.service';

export const INGEST_PATH = '/api/v1/webhook';

/**
 * `POST /api/v1/webhook` served by a plain Express handler registered ahead of Nest's routes
 * (an engine posts every event it sees, and Nest's per-request pipeline of guards,
 * interceptors and middleware cost several times the ingest itself). It does what that
 * pipeline did for this route, in the same order and with the same answers: request id,
 * the ingest rate limit (per client IP, as the global guard counts this public route), the
 * ingest auth, IngestService, the envelope, errors through AllExceptionsFilter, the request
 * duration metric and the request log line. IngestController still documents the route.
 */
@Injectable()
export class IngestRoute {
  private readonly errors = new AllExceptionsFilter();

  constructor(
    private readonly ingest: IngestService,
    private readonly auth: IngestAuth,
    private readonly rateLimit: RequestRateLimiter,
    private readonly metrics: MetricsService,
  ) {}

  readonly handle: RequestHandler = (req: Request, res: Response, next: NextFunction): void => {
    this.serve(req, res).catch(next);
  };

  private async serve(req: Request, res: Response): Promise<void> {
    (req as Request & { id?: string }).id = requestIdOf(req, res);
    const started = Date.now();
    const stopTimer = this.metrics.httpDuration.startTimer();
    res.once('finish', () => {
      stopTimer({ method: req.method, route: INGEST_PATH, status_code: String(res.statusCode) });
    });
    let logged = false;
    const log = (): void => {
      if (!logged) {
        logged = true;
        this.logRequest(req, res, Date.now() - started);
      }
    };
    res.once('finish', log);
    res.once('close', log);
    try {
      await this.rateLimit.hitPublic(req, res);
      await this.auth.check(req);
      const outcome = await this.ingest.ingest(req.body);
      res.status(200).json(ok('Event received', outcome));
    } catch (error) {
      const [status, body] = this.errors.responseOf(error, req);
      if (!res.headersSent) {
        res.status(status).json(body);
      }
    }
  }

  /** The line pino-http writes for a request, at the level it would (debug when accepted). */
  private logRequest(req: Request, res: Response, responseTime: number): void {
    const level = requestLogLevel(req, res);
    if (!PinoLogger.root?.isLevelEnabled(level)) {
      return;
    }
    const logger = PinoLogger.root.child({ req });
    if (res.statusCode >= 500) {
      const err = new Error(`failed with status code ${res.statusCode}`);
      logger[level]({ res, err, responseTime }, 'request errored');
    } else {
      logger[level]({ res, responseTime }, 'request completed');
    }
  }
}
