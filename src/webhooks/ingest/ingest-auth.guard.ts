import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { apiKeyFromHeaders } from '../../common/auth/api-key.guard';
import { ApiKeysService } from '../../access/api-keys.service';
import { can } from '../../access/principal';
import { DomainError, InvalidApiKey } from '../../common/errors/domain-errors';
import type { RequestWithRawBody } from '../../common/http/body-parsers';
import { AppConfig } from '../../config/app-config';

export const HMAC_HEADER = 'x-hmac-signature';

/** Hex HMAC-SHA256 of `body` with `secret`. */
export function ingestSignature(secret: string, body: Buffer | string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * Ingest auth (CONTRACT §3): the API key in a header or `?api_key=` (an engine can only be
 * given a URL; the request logger redacts it), or, when WEBHOOK_INGEST_SECRET is set, a valid
 * `x-hmac-signature` of the raw body. A scoped key needs `manage` on every session (`["*"]`).
 */
@Injectable()
export class IngestAuth {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly config: AppConfig,
  ) {}

  /** Resolves when the request may ingest; throws the 401/403 DomainError otherwise. */
  async check(request: RequestWithRawBody): Promise<void> {
    const queryKey = typeof request.query.api_key === 'string' ? request.query.api_key : undefined;
    for (const presented of [apiKeyFromHeaders(request.headers), queryKey]) {
      const principal = await this.apiKeys.authenticate(presented);
      if (principal) {
        // An engine reports for any session (the token names it, and may create it)
        if (principal.sessions !== '*' || !can(principal, 'manage')) {
          throw new DomainError(
            HttpStatus.FORBIDDEN,
            'Forbidden',
            'ingest needs a key with "manage" on every session',
          );
        }
        return;
      }
    }
    const secret = this.config.webhooks.ingestSecret;
    const presented = request.headers[HMAC_HEADER];
    if (secret && typeof presented === 'string') {
      if (this.signatureMatches(secret, presented, request.rawBody ?? Buffer.alloc(0))) {
        return;
      }
      throw new DomainError(
        HttpStatus.UNAUTHORIZED,
        'Invalid API key',
        'x-hmac-signature does not match the body',
      );
    }
    throw new InvalidApiKey();
  }

  private signatureMatches(secret: string, presented: string, body: Buffer): boolean {
    const hex = presented
      .trim()
      .replace(/^sha256=/i, '')
      .toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(hex)) {
      return false;
    }
    return timingSafeEqual(
      Buffer.from(hex, 'hex'),
      Buffer.from(ingestSignature(secret, body), 'hex'),
    );
  }
}

/** IngestAuth on the Nest route (@Public(), so the global access guard lets it here). */
@Injectable()
export class IngestAuthGuard implements CanActivate {
  constructor(private readonly auth: IngestAuth) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    await this.auth.check(context.switchToHttp().getRequest<RequestWithRawBody>());
    return true;
  }
}
