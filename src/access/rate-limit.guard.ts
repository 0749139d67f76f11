import { ExecutionContext, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  ThrottlerStorage,
} from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { IS_PUBLIC } from '../common/auth/public.decorator';
import { DomainError } from '../common/errors/domain-errors';
import { AppConfig } from '../config/app-config';
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

/** The window of every limit. */
export const RATE_WINDOW_MS = 60_000;

/** Whose budget a request spends: its key's, else its client IP's. */
function trackerOf(request: Request): string {
  const principal = (request as AuthenticatedRequest).principal;
  return principal ? principal.rateKey : `ip:${request.ip ?? 'unknown'}`;
}

/**
 * Where a deployment's counters live in the store: under its database (MySQL's name, SQLite's
 * file), so two gateways on one Redis (two clusters, staging beside production) keep their own
 * budgets, as the socket.io channel does.
 */
export function rateKeyPrefix(config: AppConfig): string {
  const { type, name, sqlitePath } = config.database;
  return `wa-gateway:${type === 'mysql' ? name : sqlitePath}:rl`;
}

function storageKeyOf(prefix: string, request: Request, tracker: string): string {
  return `${prefix}:${classOf(request)}:${tracker}`;
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
  private readonly keyPrefix: string;

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    config: AppConfig,
  ) {
    super(options, storage, reflector);
    this.keyPrefix = rateKeyPrefix(config);
  }

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
    return Promise.resolve(trackerOf(request as unknown as Request));
  }

  protected override generateKey(context: ExecutionContext, tracker: string): string {
    return storageKeyOf(this.keyPrefix, context.switchToHttp().getRequest<Request>(), tracker);
  }

  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new TooManyRequests(Math.max(1, detail.timeToBlockExpire));
  }
}

/**
 * The same limit for a route served outside Nest's pipeline (the webhook ingest): the same
 * counter in the same store, the same headers and the same 429 as RateLimitGuard.
 */
@Injectable()
export class RequestRateLimiter {
  private readonly keyPrefix: string;

  constructor(
    private readonly config: AppConfig,
    @Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage,
  ) {
    this.keyPrefix = rateKeyPrefix(config);
  }

  /**
   * Counts a request to a public route (only ingest ones are limited, as RateLimitGuard does);
   * throws TooManyRequests (with `Retry-After` set) past the limit.
   */
  async hitPublic(request: Request, response: Response): Promise<void> {
    const limit = limitFor(this.config.access.rateLimits, request);
    if (classOf(request) !== 'ingest' || limit === 0) {
      return;
    }
    const record = await this.storage.increment(
      storageKeyOf(this.keyPrefix, request, trackerOf(request)),
      RATE_WINDOW_MS,
      limit,
      RATE_WINDOW_MS,
      'default',
    );
    if (record.isBlocked) {
      response.setHeader('Retry-After', String(record.timeToBlockExpire));
      throw new TooManyRequests(Math.max(1, record.timeToBlockExpire));
    }
    response.setHeader('RateLimit-Limit', String(limit));
    response.setHeader('RateLimit-Remaining', String(Math.max(0, limit - record.totalHits)));
    response.setHeader('RateLimit-Reset', String(record.timeToExpire));
  }
}
