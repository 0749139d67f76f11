import { Inject, Injectable, Logger } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { AppConfig } from '../config/app-config';
import { rateKeyPrefix } from './rate-limit.guard';

/**
 * Counts requests and socket.io handshakes without a valid key per client IP
 * (`RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE`, in the rate limits' own store, so Redis when set).
 */
@Injectable()
export class UnauthenticatedLimiter {
  private readonly logger = new Logger('Access');
  private readonly keyPrefix: string;

  constructor(
    private readonly config: AppConfig,
    @Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage,
  ) {
    this.keyPrefix = rateKeyPrefix(config);
  }

  /** Counts one failure of `ip`: the seconds to wait once the minute's budget is spent, else null. */
  async failed(ip: string | undefined): Promise<number | null> {
    const limit = this.config.access.unauthenticatedPerMinute;
    if (limit === 0) {
      return null;
    }
    const record = await this.storage.increment(
      `${this.keyPrefix}:unauthenticated:ip:${ip ?? 'unknown'}`,
      60_000,
      limit,
      60_000,
      'unauthenticated',
    );
    if (!record.isBlocked) {
      return null;
    }
    this.logger.warn(`too many requests without a valid key from ${ip ?? 'unknown'}`);
    return Math.max(1, record.timeToBlockExpire);
  }
}
