import type { OnModuleDestroy } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';

interface ThrottlerRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

interface Window {
  hits: number;
  expiresAt: number;
  blockedUntil: number;
}

const SWEEP_INTERVAL_MS = 60_000;

/**
 * The in-memory rate-limit counters: a fixed window per key, counted exactly as the Redis store
 * counts (`@nest-lab/throttler-storage-redis`'s script: INCR, expiry set on the first hit, a
 * block of `blockDuration` once past the limit), in O(1) per hit. @nestjs/throttler's own memory
 * store keeps one timestamp per hit and filters them all on every request, which costs more the
 * higher the limit (ingest's is 600,000 a minute).
 */
export class FixedWindowStore implements ThrottlerStorage, OnModuleDestroy {
  private readonly windows = new Map<string, Window>();
  private readonly sweeper: NodeJS.Timeout;

  constructor() {
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerRecord> {
    const now = Date.now();
    const id = `${key}:${throttlerName}`;
    let window = this.windows.get(id);
    if (!window || window.expiresAt <= now) {
      window = { hits: 0, expiresAt: now + ttl, blockedUntil: window?.blockedUntil ?? 0 };
      this.windows.set(id, window);
    }
    window.hits += 1;
    let isBlocked = window.blockedUntil > now;
    let blockLeft = isBlocked ? window.blockedUntil - now : 0;
    if (!isBlocked && window.hits > limit) {
      window.blockedUntil = now + blockDuration;
      isBlocked = true;
      blockLeft = blockDuration;
    }
    if (isBlocked && blockLeft <= 0) {
      window.blockedUntil = 0;
      window.hits = 1;
      window.expiresAt = now + ttl;
      isBlocked = false;
    }
    return Promise.resolve({
      totalHits: window.hits,
      timeToExpire: Math.ceil((window.expiresAt - now) / 1000),
      isBlocked,
      timeToBlockExpire: Math.ceil(blockLeft / 1000),
    });
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  private sweep(now = Date.now()): void {
    for (const [id, window] of this.windows) {
      if (window.expiresAt <= now && window.blockedUntil <= now) {
        this.windows.delete(id);
      }
    }
  }
}
