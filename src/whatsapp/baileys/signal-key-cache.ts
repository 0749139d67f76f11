import type { CacheStore } from '@whiskeysockets/baileys';
import { LRUCache } from 'lru-cache';

const TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 50_000;

/**
 * One bounded, time-limited cache of Signal keys for every session, in front of the database
 * (Baileys' own cacheable key store gives each session an unbounded cache of its own). Pre-keys
 * are not cached on write: a new device uploads 812 of them and reads one only when a contact
 * opens a session, so keeping them would cost ~0.5 MB per session for nothing.
 */
export class SignalKeyCache {
  private readonly cache = new LRUCache<string, object>({
    max: MAX_ENTRIES,
    ttl: TTL_MS,
    ttlAutopurge: false,
  });

  /** The cache as one session's Baileys key store sees it (keys are namespaced per session). */
  forSession(sessionId: string): CacheStore {
    const prefix = `${sessionId}\u0000`;
    return {
      get: <T>(key: string): T | undefined => this.cache.get(prefix + key) as T | undefined,
      set: <T>(key: string, value: T): void => {
        if (value === null || value === undefined || key.startsWith('pre-key.')) {
          this.cache.delete(prefix + key);
        } else {
          this.cache.set(prefix + key, value);
        }
      },
      del: (key: string): void => {
        this.cache.delete(prefix + key);
      },
      flushAll: (): void => this.forget(sessionId),
    };
  }

  /** Drops every cached key of a session (logout, stop). */
  forget(sessionId: string): void {
    const prefix = `${sessionId}\u0000`;
    for (const key of [...this.cache.keys()]) {
      if (key.startsWith(prefix)) {
        this.cache.delete(key);
      }
    }
  }

  get size(): number {
    return this.cache.size;
  }
}
