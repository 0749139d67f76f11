import { Logger } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';

const logger = new Logger('Redis');

/**
 * Logs a Redis client's connection errors as warnings, once per distinct error until it is
 * connected again. ioredis reconnects by itself; without a listener each error is printed as an
 * unhandled 'error' event with its stack, every retry.
 */
export function logRedisErrors<T extends Redis | Cluster>(client: T, purpose: string): T {
  let failing: string | null = null;
  client.on('error', (error: Error) => {
    if (error.message !== failing) {
      failing = error.message;
      logger.warn(`${purpose}: ${error.message} (reconnecting)`);
    }
  });
  client.on('ready', () => {
    if (failing !== null) {
      failing = null;
      logger.log(`${purpose}: connected again`);
    }
  });
  return client;
}
