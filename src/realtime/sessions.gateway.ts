import { Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { ApiKeyService } from '../common/auth/api-key.service';
import { DomainError } from '../common/errors/domain-errors';
import { SessionsService } from '../sessions/sessions.service';
import { SessionManager } from '../whatsapp/session-manager';
import { MessagingSocketCommands, SocketReply } from './messaging-socket';
import { ALL_SESSIONS_ROOM, sessionRoom } from './rooms';
import { apiKeyFromHandshake } from './ws-auth';
import { optionalString, sessionIdFrom, sessionIdOrNull } from './ws-payloads';

/** What every client event answers through its acknowledgement callback. */
export type Ack<T = unknown> =
  { success: true; message: string; data: T } | { success: false; message: string };

/**
 * socket.io at /ws: authenticates the handshake, keeps one room per session, and turns seed
 * 002's session events into service calls. Replies go to the caller as the documented event and
 * as the acknowledgement.
 */
@WebSocketGateway()
export class SessionsGateway implements OnGatewayInit {
  @WebSocketServer()
  server!: Server;

  private readonly logger = new Logger('SessionsGateway');

  constructor(
    private readonly apiKeys: ApiKeyService,
    private readonly sessions: SessionsService,
    private readonly manager: SessionManager,
    private readonly messaging: MessagingSocketCommands,
  ) {}

  afterInit(server: Server): void {
    server.use((socket, next) => {
      if (this.apiKeys.matches(apiKeyFromHandshake(socket))) {
        next();
      } else {
        next(new Error('Invalid API key'));
      }
    });
  }

  @SubscribeMessage('subscribe')
  subscribe(@ConnectedSocket() client: Socket, @MessageBody() payload: unknown): Promise<Ack> {
    return this.handle(client, payload, async () => {
      const room = this.roomOf(payload);
      await client.join(room);
      return { message: 'Subscribed', data: { room } };
    });
  }

  @SubscribeMessage('unsubscribe')
  unsubscribe(@ConnectedSocket() client: Socket, @MessageBody() payload: unknown): Promise<Ack> {
    return this.handle(client, payload, async () => {
      const room = this.roomOf(payload);
      await client.leave(room);
      return { message: 'Unsubscribed', data: { room } };
    });
  }

  @SubscribeMessage('start_session')
  startSession(@ConnectedSocket() client: Socket, @MessageBody() payload: unknown): Promise<Ack> {
    return this.handle(client, payload, async () => {
      const sessionId = sessionIdFrom(payload);
      // Subscribe first so the caller sees the first QR code
      await client.join(sessionRoom(sessionId));
      const session = await this.sessions.createOrStart(sessionId, optionalString(payload, 'name'));
      const status = await this.sessions.status(sessionId);
      client.emit('session_status', status);
      return { message: 'Session started', data: session };
    });
  }

  @SubscribeMessage('stop_session')
  stopSession(@ConnectedSocket() client: Socket, @MessageBody() payload: unknown): Promise<Ack> {
    return this.handle(client, payload, async () => {
      const session = await this.sessions.stop(sessionIdFrom(payload));
      return { message: 'Session stopped', data: session };
    });
  }

  @SubscribeMessage('logout_session')
  logoutSession(@ConnectedSocket() client: Socket, @MessageBody() payload: unknown): Promise<Ack> {
    return this.handle(client, payload, async () => {
      const session = await this.sessions.logout(sessionIdFrom(payload));
      return { message: 'Session logged out', data: session };
    });
  }

  @SubscribeMessage('get_session_status')
  getSessionStatus(
    @ConnectedSocket() client: Socket,
    @MessageBody() payload: unknown,
  ): Promise<Ack> {
    return this.handle(client, payload, async () => {
      const status = await this.sessions.status(sessionIdFrom(payload));
      client.emit('session_status', status);
      return { message: 'Session status retrieved successfully', data: status };
    });
  }

  @SubscribeMessage('get_active_sessions')
  getActiveSessions(
    @ConnectedSocket() client: Socket,
    @MessageBody() payload: unknown,
  ): Promise<Ack> {
    return this.handle(client, payload, async () => {
      const active = await this.activeSessions();
      client.emit('active_sessions', active);
      return { message: 'Active sessions retrieved successfully', data: active };
    });
  }

  @SubscribeMessage('load_sessions_from_storage')
  loadSessions(@ConnectedSocket() client: Socket, @MessageBody() payload: unknown): Promise<Ack> {
    return this.handle(client, payload, async () => {
      const loaded = await this.manager.restoreAll({ includeStopped: true });
      const active = await this.activeSessions();
      client.emit('active_sessions', active);
      return {
        message: `Loaded ${loaded.length} session(s) from storage`,
        data: { loaded, active },
      };
    });
  }

  @SubscribeMessage('get_available_sessions')
  getAvailableSessions(
    @ConnectedSocket() client: Socket,
    @MessageBody() payload: unknown,
  ): Promise<Ack> {
    return this.handle(client, payload, async () => {
      const available = await this.sessions.list('all');
      client.emit('available_sessions', available);
      return { message: 'Available sessions retrieved successfully', data: available };
    });
  }

  @SubscribeMessage('send_whatsapp_message')
  sendMessage(@ConnectedSocket() client: Socket, @MessageBody() payload: unknown): Promise<Ack> {
    return this.reply(client, payload, 'send_error', ['to', 'message'], () =>
      this.messaging.send(payload),
    );
  }

  @SubscribeMessage('check_phone_number')
  checkPhone(@ConnectedSocket() client: Socket, @MessageBody() payload: unknown): Promise<Ack> {
    return this.reply(client, payload, 'phone_check_error', ['phoneNumber'], () =>
      this.messaging.checkPhone(payload),
    );
  }

  @SubscribeMessage('get_profile_info')
  getProfile(@ConnectedSocket() client: Socket, @MessageBody() payload: unknown): Promise<Ack> {
    return this.reply(client, payload, 'profile_error', ['phoneNumber'], () =>
      this.messaging.profile(payload),
    );
  }

  @SubscribeMessage('send_typing')
  sendTyping(@ConnectedSocket() client: Socket, @MessageBody() payload: unknown): Promise<Ack> {
    return this.reply(client, payload, 'typing_error', ['to'], () =>
      this.messaging.typing(payload),
    );
  }

  @SubscribeMessage('read_message')
  readMessage(@ConnectedSocket() client: Socket, @MessageBody() payload: unknown): Promise<Ack> {
    return this.reply(client, payload, 'read_error', ['messageKey'], () =>
      this.messaging.read(payload),
    );
  }

  /** A command with a documented reply event; a failure goes to `errorEvent` with `echo` fields. */
  private reply(
    client: Socket,
    payload: unknown,
    errorEvent: string,
    echo: string[],
    run: () => Promise<SocketReply>,
  ): Promise<Ack> {
    const fields = Object.fromEntries(
      echo.map((field) => [field, (payload as Record<string, unknown> | null)?.[field] ?? null]),
    );
    return this.handle(
      client,
      payload,
      async () => {
        const { message, data, event, payload: replyPayload } = await run();
        client.emit(event, replyPayload);
        return { message, data };
      },
      { event: errorEvent, fields },
    );
  }

  private async activeSessions() {
    const views = await this.sessions.listWithCredentials('active');
    return views.map((view) => ({
      sessionId: view.sessionId,
      name: view.name,
      status: view.status,
      connectionStatus: view.connectionStatus,
      isConnected: view.isAuthenticated,
      startTime: view.startTime,
      userInfo: view.userInfo,
    }));
  }

  private roomOf(payload: unknown): string {
    if (payload === '*' || (payload as { sessionId?: unknown } | null)?.sessionId === '*') {
      return ALL_SESSIONS_ROOM;
    }
    return sessionRoom(sessionIdFrom(payload));
  }

  /** Runs a client event; a failure becomes `session_error` plus a failed acknowledgement. */
  private async handle(
    client: Socket,
    payload: unknown,
    run: () => Promise<{ message: string; data: unknown }>,
    onError: { event: string; fields: Record<string, unknown> } = {
      event: 'session_error',
      fields: {},
    },
  ): Promise<Ack> {
    try {
      const { message, data } = await run();
      return { success: true, message, data };
    } catch (error) {
      let message = 'Internal server error';
      if (error instanceof DomainError) {
        message = error.message;
      } else {
        this.logger.error(
          `socket event failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
      }
      client.emit(onError.event, {
        sessionId: sessionIdOrNull(payload),
        ...onError.fields,
        message,
      });
      return { success: false, message };
    }
  }
}
