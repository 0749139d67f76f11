import { ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import type { Request } from 'express';
import { IS_PUBLIC } from '../common/auth/public.decorator';
import { DomainError } from '../common/errors/domain-errors';
import type { AccessConfig } from './access.config';
import type { AuthenticatedRequest } from './request-principal';

export class TooManyRequests extends DomainError {
  constructor(retryAfterSeconds: number) {
    super(
      HttpStatus.TOO_MANY_REQUESTS,
      'Too many requests',
      `rate limit reached: retry in ${retryAfterSeconds} s`,
    );
  }
}

export type RequestClass = 'ingest' | 'read' | 'write';

/** Webhook ingest, reads (GET/HEAD) and everything else each have their own budget. */
export function classOf(request: Request): RequestClass {
  if (request.method === 'POST' && (request.path ?? request.url).startsWith('/api/v1/webhook')) {
    return 'ingest';
  }
  return request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'write';
}

export function limitFor(limits: AccessConfig['rateLimits'], request: Request): number {
  return limits[classOf(request)];
}

/**
 * Per-key rate limits (@nestjs/throttler): a fixed one-minute window per key and request class,
 * in memory or in Redis. Answers 429 in the envelope with `Retry-After`; every limited response
 * carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`. Health, docs and the
 * dashboard's files (public routes) are not limited; a limit of 0 turns that class off.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override headerPrefix = 'RateLimit';

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') {
      return true;
    }
    const request = context.switchToHttp().getRequest<Request>();
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic && classOf(request) !== 'ingest') {
      return true;
    }
    const limit = this.throttlers[0]?.limit;
    const resolved = typeof limit === 'function' ? await limit(context) : limit;
    return resolved === 0 || (await super.shouldSkip(context));
  }

  protected override getTracker(request: Record<string, unknown>): Promise<string> {
    const principal = (request as unknown as AuthenticatedRequest).principal;
    const ip = (request as unknown as Request).ip ?? 'unknown';
    return Promise.resolve(principal ? principal.rateKey : `ip:${ip}`);
  }

  protected override generateKey(context: ExecutionContext, tracker: string): string {
    return `wa-gateway:rl:${classOf(context.switchToHttp().getRequest<Request>())}:${tracker}`;
  }

  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new TooManyRequests(Math.max(1, detail.timeToBlockExpire));
  }
}
