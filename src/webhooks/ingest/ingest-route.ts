import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { RequestRateLimiter } from '../../access/rate-limit.guard';
import { ok } from '../../common/http/envelope';
import { servePlain } from '../../common/http/plain-route';
import { MetricsService } from '../../metrics/metrics.service';
import { IngestAuth } from './ingest-auth.guard';
import { IngestService } from './ingest.service';

export const INGEST_PATH = '/api/v1/webhook';

/**
 * `POST /api/v1/webhook` served by a plain Express handler registered ahead of Nest's routes
 * (an engine posts every event it sees, and Nest's per-request pipeline of guards,
 * interceptors and middleware cost several times the ingest itself; see servePlain). It does
 * what that pipeline did for this route, in the same order and with the same answers: the
 * ingest rate limit (per client IP, as the global guard counts this public route), the ingest
 * auth, IngestService and the envelope. IngestController still documents the route.
 */
@Injectable()
export class IngestRoute {
  constructor(
    private readonly ingest: IngestService,
    private readonly auth: IngestAuth,
    private readonly rateLimit: RequestRateLimiter,
    metrics: MetricsService,
  ) {
    this.route = { path: INGEST_PATH, duration: metrics.httpDuration };
  }

  private readonly route: { path: string; duration: MetricsService['httpDuration'] };

  readonly handle: RequestHandler = (req: Request, res: Response, next: NextFunction): void => {
    servePlain(req, res, this.route, async () => {
      await this.rateLimit.hitPublic(req, res);
      await this.auth.check(req);
      return [200, ok('Event received', await this.ingest.ingest(req.body))];
    }).catch(next);
  };
}
