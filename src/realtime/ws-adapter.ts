import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import { logRedisErrors } from '../common/redis/redis-errors';
import type { AppConfig } from '../config/app-config';

export const WS_PATH = '/ws';

/**
 * socket.io on the HTTP port at /ws (websocket + polling), with the configured CORS origins. In
 * cluster mode rooms span every process through Redis pub/sub: an event a session's owner emits
 * reaches the clients connected to any process.
 */
export class WsAdapter extends IoAdapter {
  private readonly redis: Redis[] = [];

  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, {
      ...options,
      path: WS_PATH,
      transports: ['websocket', 'polling'],
      cors: { origin: this.config.corsOrigins, credentials: false },
      maxHttpBufferSize: 5 * 1024 * 1024,
    }) as Server;
    const { enabled, redisUrl } = this.config.cluster;
    if (enabled && redisUrl) {
      const pub = logRedisErrors(
        new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: null }),
        'socket.io publisher',
      );
      const sub = logRedisErrors(pub.duplicate(), 'socket.io subscriber');
      this.redis.push(pub, sub);
      // one cluster is one database: clusters sharing a Redis do not hear each other
      const key = `wa-gateway:${this.config.database.name}`;
      server.adapter(createAdapter(pub, sub, { key }));
    }
    return server;
  }

  override async dispose(): Promise<void> {
    await super.dispose();
    await Promise.all(this.redis.map((client) => client.quit().catch(() => undefined)));
  }
}
