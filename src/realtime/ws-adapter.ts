import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';
import type { AppConfig } from '../config/app-config';

export const WS_PATH = '/ws';

/** socket.io on the HTTP port at /ws (websocket + polling), with the configured CORS origins. */
export class WsAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    return super.createIOServer(port, {
      ...options,
      path: WS_PATH,
      transports: ['websocket', 'polling'],
      cors: { origin: this.config.corsOrigins, credentials: false },
      maxHttpBufferSize: 5 * 1024 * 1024,
    }) as Server;
  }
}
