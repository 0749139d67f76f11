import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { PlainRouteAccess } from '../access/plain-route-access';
import { servePlain } from '../common/http/plain-route';
import { createValidationPipe } from '../common/http/validation';
import { MetricsService } from '../metrics/metrics.service';
import { SessionIdPipe } from '../sessions/session-param.pipe';
import { SendMessageDto } from './dto/send-message.dto';
import { KnownSessionPipe, SessionGate } from './session-gate.service';
import { SessionMessagingController } from './session-messaging.controller';

export const SEND_PATH = '/sessions/:id/messages';
/** The controller method that documents the route: the guards read their metadata off it. */
// eslint-disable-next-line @typescript-eslint/unbound-method -- only its identity (metadata) is used
const SEND_HANDLER = SessionMessagingController.prototype.send;

/**
 * `POST /sessions/:id/messages` with a JSON body, served by a plain Express handler registered
 * ahead of Nest's routes: every REST send crosses it, and Nest's pipeline (router, interceptors
 * as rxjs observables, middleware) cost about as much CPU as the send itself (see servePlain).
 * It runs what that pipeline runs for the route, in its order, with the same components: the
 * global guards on SessionMessagingController#send (PlainRouteAccess), the global validation
 * pipe and the route's SessionIdPipe and KnownSessionPipe, the controller method itself (its
 * envelope), and the scope filter. Everything else goes on to Nest's route, which documents it
 * and serves it as before: multipart uploads (multer), other content types, and any request
 * the audit trail would record.
 */
@Injectable()
export class SendRoute {
  private readonly validation = createValidationPipe();
  private readonly sessionIds = new SessionIdPipe();
  private readonly knownSessions: KnownSessionPipe;
  private controller?: SessionMessagingController;
  private readonly route: { path: string; duration: MetricsService['httpDuration'] };

  constructor(
    private readonly access: PlainRouteAccess,
    metrics: MetricsService,
    private readonly moduleRef: ModuleRef,
    gate: SessionGate,
  ) {
    this.knownSessions = new KnownSessionPipe(gate);
    this.route = { path: SEND_PATH, duration: metrics.httpDuration };
  }

  readonly handle: RequestHandler = (req: Request, res: Response, next: NextFunction): void => {
    if (!req.is('application/json')) {
      next();
      return;
    }
    const context = this.access.contextOf(req, res, SessionMessagingController, SEND_HANDLER);
    if (this.access.audited(context)) {
      next();
      return;
    }
    servePlain(req, res, this.route, async () => {
      await this.access.check(context);
      const sessionId = await this.knownSessions.transform(
        this.sessionIds.transform(req.params.id),
      );
      const body = (await this.validation.transform(req.body, {
        type: 'body',
        metatype: SendMessageDto,
      })) as SendMessageDto;
      this.controller ??= this.moduleRef.get(SessionMessagingController);
      return [201, this.access.filter(context, await this.controller.send(sessionId, body))];
    }).catch(next);
  };
}
