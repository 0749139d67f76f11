import { ForbiddenException, Injectable, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import type { Request, Response } from 'express';
import { AccessGuard } from './access.guard';
import { auditActionOfContext } from './audit.interceptor';
import { RateLimitGuard } from './rate-limit.guard';
import type { AuthenticatedRequest } from './request-principal';
import { filterBody } from './scope-filter.interceptor';

/**
 * Access control for a keyed route served outside Nest's pipeline (see servePlain): the same
 * global guards, AccessGuard then RateLimitGuard as AccessModule registers them, run on the
 * controller method that documents the route, so they read the same metadata (permission,
 * public, session in body) and answer the same 401, 403, 404 and 429; and the global
 * interceptors' part: an audited request is left to Nest's pipeline (`audited`), and a list
 * answer is filtered to the caller's scope (`filter`).
 */
@Injectable()
export class PlainRouteAccess {
  constructor(
    private readonly reflector: Reflector,
    private readonly access: AccessGuard,
    private readonly rateLimit: RateLimitGuard,
  ) {}

  /** The guards' and interceptors' view of a request to `controller`'s `handler`. */
  contextOf(
    req: Request,
    res: Response,
    controller: Type,
    handler: (...args: never[]) => unknown,
  ): ExecutionContextHost {
    const context = new ExecutionContextHost([req, res], controller, handler);
    context.setType('http');
    return context;
  }

  /** Whether AuditInterceptor would write an audit event for the request. */
  audited(context: ExecutionContextHost): boolean {
    return auditActionOfContext(this.reflector, context) !== null;
  }

  /** Runs the global guards: throws what they would throw, in their order. */
  async check(context: ExecutionContextHost): Promise<void> {
    for (const guard of [this.access, this.rateLimit]) {
      if (!(await guard.canActivate(context))) {
        throw new ForbiddenException('Forbidden resource');
      }
    }
  }

  /** The answer as ScopeFilterInterceptor passes it on. */
  filter(context: ExecutionContextHost, body: unknown): unknown {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    return principal && principal.sessions !== '*' ? filterBody(body, principal) : body;
  }
}
