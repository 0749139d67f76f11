import { Injectable, Logger } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '../../config/app-config';

export const API_KEY_FILE = 'api-key';

/**
 * Holds the admin API key and checks presented keys in constant time. The key is API_KEY, or
 * one generated on first start, kept in the data folder (mode 0600) and printed once.
 */
@Injectable()
export class ApiKeyService {
  private readonly logger = new Logger(ApiKeyService.name);
  private readonly digest: Buffer;

  constructor(config: AppConfig) {
    const key = config.apiKey ?? this.loadOrGenerate(config.dataDir);
    this.digest = sha256(key);
  }

  /** A short, non-reversible tag of the admin key (rate-limit buckets of processes sharing it). */
  get tag(): string {
    return this.digest.subarray(0, 6).toString('hex');
  }

  /** True when `presented` is the admin key. Compares fixed-length digests in constant time. */
  matches(presented: string | undefined | null): boolean {
    if (typeof presented !== 'string' || presented.length === 0) {
      return false;
    }
    return timingSafeEqual(sha256(presented), this.digest);
  }

  private loadOrGenerate(dataDir: string): string {
    const file = join(dataDir, API_KEY_FILE);
    if (existsSync(file)) {
      const stored = readFileSync(file, 'utf8').trim();
      if (stored.length >= 16) {
        this.logger.log(`API_KEY is not set: using the key stored in ${file}`);
        return stored;
      }
    }
    const key = `wag_${randomBytes(32).toString('base64url')}`;
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    // Printed once, on purpose, outside the structured log: the operator needs to see it.
    process.stdout.write(
      [
        '',
        '================================================================',
        ' API_KEY was not set, so wa-gateway generated one:',
        `   ${key}`,
        ` It is stored in ${file} and will not be shown again.`,
        ' Send it as "Authorization: Bearer <key>" or "X-API-Key: <key>".',
        '================================================================',
        '',
      ].join('\n'),
    );
    return key;
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
