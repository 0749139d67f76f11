import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { InvalidApiKey } from '../errors/domain-errors';
import { ApiKeyService } from './api-key.service';
import { IS_PUBLIC } from './public.decorator';

/** Extracts the key from `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function apiKeyFromHeaders(
  headers: Record<string, string | string[] | undefined>,
): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match) {
      return match[1].trim();
    }
  }
  const headerKey = headers['x-api-key'];
  return typeof headerKey === 'string' ? headerKey.trim() : undefined;
}

/** Global HTTP guard: every route needs the API key unless marked @Public(). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeyService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') {
      return true;
    }
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) {
      return true;
    }
    const request = context.switchToHttp().getRequest<Request>();
    if (!this.apiKeys.matches(apiKeyFromHeaders(request.headers))) {
      throw new InvalidApiKey();
    }
    return true;
  }
}
