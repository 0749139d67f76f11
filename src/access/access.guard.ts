import { CanActivate, ExecutionContext, HttpStatus, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { apiKeyFromHeaders } from '../common/auth/api-key.guard';
import { IS_PUBLIC } from '../common/auth/public.decorator';
import { DomainError, InvalidApiKey, SessionNotFound } from '../common/errors/domain-errors';
import { ApiKeysService } from './api-keys.service';
import { auditActionOfContext, auditRecordOf } from './audit.interceptor';
import { AuditService } from './audit.service';
import { defaultPermission, Permission, REQUIRED_PERMISSION } from './permissions';
import { can, canSee } from './principal';
import { TooManyRequests } from './rate-limit.guard';
import { type AuthenticatedRequest, sessionOfRequest } from './request-principal';
import { UnauthenticatedLimiter } from './unauthenticated-limiter';

export class ForbiddenForSession extends DomainError {
  constructor() {
    super(HttpStatus.FORBIDDEN, 'Forbidden for this session');
  }
}

export class Forbidden extends DomainError {
  constructor(permission: Permission) {
    super(HttpStatus.FORBIDDEN, 'Forbidden', `this key lacks the "${permission}" permission`);
  }
}

const SESSION_IN_BODY = 'wa-gateway:session-in-body';

/** The route creates a session named by `body.sessionId`: a scoped key may only name its own. */
export const SessionInBody = (): MethodDecorator => SetMetadata(SESSION_IN_BODY, true);

/**
 * Global HTTP guard: every route needs a key unless @Public(). The key's scope decides the rest:
 * a session outside it answers 404 "Session not found", exactly as a missing one (so a scoped
 * key cannot probe which sessions exist); a session inside it without the route's permission
 * answers 403 "Forbidden for this session".
 *
 * Refusals of audited actions are written to the audit trail (outcome `denied`). Requests without
 * a valid key are limited per client IP (`RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE`): past the
 * limit they answer 429 instead of 401, so keys cannot be guessed at speed.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
    private readonly audit: AuditService,
    private readonly unauthenticated: UnauthenticatedLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') {
      return true;
    }
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, targets)) {
      return true;
    }
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    try {
      return await this.check(context, request);
    } catch (error) {
      if (error instanceof DomainError && error.status !== HttpStatus.TOO_MANY_REQUESTS) {
        await this.recordDenial(context, request, error.status);
      }
      throw error;
    }
  }

  private async check(context: ExecutionContext, request: AuthenticatedRequest): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const principal = await this.keys.authenticate(apiKeyFromHeaders(request.headers));
    if (!principal) {
      const retryAfter = await this.unauthenticated.failed(request.ip);
      if (retryAfter !== null) {
        context.switchToHttp().getResponse<Response>().header('Retry-After', String(retryAfter));
        throw new TooManyRequests(retryAfter);
      }
      throw new InvalidApiKey();
    }
    request.principal = principal;
    const permission =
      this.reflector.getAllAndOverride<Permission | undefined>(REQUIRED_PERMISSION, targets) ??
      defaultPermission(request.method);

    let sessionId = sessionOfRequest(request);
    if (this.reflector.get<boolean | undefined>(SESSION_IN_BODY, context.getHandler())) {
      const named = (request.body as { sessionId?: unknown } | undefined)?.sessionId;
      if (principal.sessions !== '*' && typeof named !== 'string') {
        throw new ForbiddenForSession();
      }
      sessionId = typeof named === 'string' ? named : sessionId;
      if (sessionId !== undefined && !canSee(principal, sessionId)) {
        throw new ForbiddenForSession();
      }
    }
    if (sessionId !== undefined && !canSee(principal, sessionId)) {
      throw new SessionNotFound(sessionId);
    }
    if (permission === 'admin' && principal.sessions !== '*') {
      // Keys and the audit trail span every session: a key scoped to some cannot see them
      throw new Forbidden(permission);
    }
    if (!can(principal, permission)) {
      throw sessionId !== undefined ? new ForbiddenForSession() : new Forbidden(permission);
    }
    return true;
  }

  private async recordDenial(
    context: ExecutionContext,
    request: AuthenticatedRequest,
    status: number,
  ): Promise<void> {
    const action = auditActionOfContext(this.reflector, context);
    if (action) {
      await this.audit.record(auditRecordOf(request, action, status, 'denied'));
    }
  }
}
