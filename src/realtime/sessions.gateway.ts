import { HttpStatus, Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { ApiKeysService } from '../access/api-keys.service';
import { PeerClient } from '../cluster/peer-client';
import { SessionOwnership } from '../cluster/session-ownership';
import type { AuditOutcome } from '../access/audit-event.entity';
import { AuditService } from '../access/audit.service';
import { UnauthenticatedLimiter } from '../access/unauthenticated-limiter';
import type { Permission } from '../access/permissions';
import { can, canSee } from '../access/principal';
import { DomainError, SessionNotFound } from '../common/errors/domain-errors';
import { CredentialsService } from '../credentials/credentials.service';
import { SessionsService } from '../sessions/sessions.service';
import { SessionManager } from '../whatsapp/session-manager';
import {
  dataOf,
  subscribeTo,
  subscribeToAll,
  subscriptionsOf,
  unsubscribeFrom,
  unsubscribeFromAll,
} from './rooms';
import { MessagingSocketCommands, SocketReply } from './messaging-socket';
import { ForwardedEvent, ForwardedReply, forwardedCaller, OwnerEvent } from './socket-forwarding';
import { apiKeyFromHandshake } from './ws-auth';
import { optionalString, sessionIdFrom, sessionIdOrNull } from './ws-payloads';

/** How a failed client event is reported: the documented error event and the fields it echoes. */
interface ErrorReply {
  event: string;
  fields: Record<string, unknown>;
}

/** What every client event answers through its acknowledgement callback. */
export type Ack<T = unknown> =
  { success: true; message: string; data: T } | { success: false; message: string };

/**
 * socket.io at /ws: authenticates the handshake, keeps one room per session, and turns seed
 * 002's session events into service calls. Replies go to the caller as the documented event and
 * as the acknowledgement.
 */
@WebSocketGateway()
export class SessionsGateway implements OnGatewayInit, OnGatewayConnection {
  @WebSocketServer()
  server!: Server;

  private readonly logger = new Logger('SessionsGateway');
  /** Audited events per socket so far (request ids `ws:<socket id>:<n>`); gone with the socket. */
  private readonly auditedEvents = new WeakMap<Socket, number>();

  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly unauthenticated: UnauthenticatedLimiter,
    private readonly sessions: SessionsService,
    private readonly credentials: CredentialsService,
    private readonly manager: SessionManager,
    private readonly messaging: MessagingSocketCommands,
    private readonly audit: AuditService,
    private readonly ownership: SessionOwnership,
    private readonly peers: PeerClient,
  ) {}

  afterInit(server: Server): void {
    server.use((socket, next) => {
      this.apiKeys.authenticate(apiKeyFromHandshake(socket)).then(
        (principal) => {
          if (principal) {
            dataOf(socket).principal = principal;
            next();
            return;
          }
          void this.unauthenticated.failed(socket.handshake.address).then(
            (retryAfter) =>
              next(new Error(retryAfter === null ? 'Invalid API key' : 'Too many requests')),
            () => next(new Error('Invalid API key')),
          );
        },
        () => next(new Error('Authentication failed')),
      );
    });
  }

  /** Every client starts with the events of every session; `subscribe` narrows that. */
  async handleConnection(client: Socket): Promise<void> {
    await subscribeToAll(client);
  }

  @SubscribeMessage('subscribe')
  subscribe(@ConnectedSocket() client: Socket, @MessageBody() payload: unknown): Promise<Ack> {
    return this.handle(client, payload, 'read', async () => {
      const sessionId = this.targetOf(payload);
      await (sessionId === '*' ? subscribeToAll(client, true) : subscribeTo(client, sessionId));
      return { message: 'Subscribed', data: subscriptionsOf(client) };
    });
  }

  @SubscribeMessage('unsubscribe')
  unsubscribe(@ConnectedSocket() client: Socket, @MessageBody() payload: unknown): Promise<Ack> {
    return this.handle(client, payload, 'read', async () => {
      const sessionId = this.targetOf(payload);
      await (sessionId === '*' ? unsubscribeFromAll(client) : unsubscribeFrom(client, sessionId));
      return { message: 'Unsubscribed', data: subscriptionsOf(client) };
    });
  }

  @SubscribeMessage('start_session')
  startSession(@ConnectedSocket() client: Socket, @MessageBody() payload: unknown): Promise<Ack> {
    return this.manage('session.start', client, payload, async () => {
      const sessionId = sessionIdFrom(payload);
      // Subscribe first so the caller sees the first QR code (without narrowing a client that
      // takes every session's events)
      await subscribeTo(client, sessionId, false);
      const session = await this.sessions.createOrStart(sessionId, optionalString(payload, 'name'));
      const status = await this.sessions.status(sessionId);
      client.emit('session_status', status);
      return { message: 'Session started', data: session };
    });
  }

  @SubscribeMessage('stop_session')
  stopSession(@ConnectedSocket() client: Socket, @MessageBody() payload: unknown): Promise<Ack> {
    return this.atOwner('stop_session', client, payload, () =>
      this.stopSessionHere(client, payload),
    );
  }

  private stopSessionHere(client: Socket, payload: unknown): Promise<Ack> {
    return this.manage('session.stop', client, payload, async () => {
      const session = await this.sessions.stop(sessionIdFrom(payload));
      return { message: 'Session stopped', data: session };
    });
  }

  @SubscribeMessage('logout_session')
  logoutSession(@ConnectedSocket() client: Socket, @MessageBody() payload: unknown): Promise<Ack> {
    return this.atOwner('logout_session', client, payload, () =>
      this.logoutSessionHere(client, payload),
    );
  }

  private logoutSessionHere(client: Socket, payload: unknown): Promise<Ack> {
    return this.manage('session.logout', client, payload, async () => {
      const session = await this.sessions.logout(sessionIdFrom(payload));
      return { message: 'Session logged out', data: session };
    });
  }

  @SubscribeMessage('get_session_status')
  getSessionStatus(
    @ConnectedSocket() client: Socket,
    @MessageBody() payload: unknown,
  ): Promise<Ack> {
    return this.handle(client, payload, 'read', async () => {
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
    return this.handle(client, payload, 'read', async () => {
      const active = this.visible(client, await this.activeSessions());
      client.emit('active_sessions', active);
      return { message: 'Active sessions retrieved successfully', data: active };
    });
  }

  @SubscribeMessage('load_sessions_from_storage')
  loadSessions(@ConnectedSocket() client: Socket, @MessageBody() payload: unknown): Promise<Ack> {
    return this.manage('session.load_from_storage', client, payload, async () => {
      if (dataOf(client).principal?.sessions !== '*') {
        throw new DomainError(HttpStatus.FORBIDDEN, 'Forbidden', 'needs a key for every session');
      }
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
    return this.handle(client, payload, 'read', async () => {
      const available = this.visible(client, await this.sessions.list('all', undefined));
      client.emit('available_sessions', available);
      return { message: 'Available sessions retrieved successfully', data: available };
    });
  }

  @SubscribeMessage('send_whatsapp_message')
  sendMessage(@ConnectedSocket() client: Socket, @MessageBody() payload: unknown): Promise<Ack> {
    return this.atOwner('send_whatsapp_message', client, payload, () =>
      this.sendMessageHere(client, payload),
    );
  }

  private sendMessageHere(client: Socket, payload: unknown): Promise<Ack> {
    return this.reply(client, payload, 'send', 'send_error', ['to', 'message'], () =>
      this.messaging.send(payload),
    );
  }

  @SubscribeMessage('check_phone_number')
  checkPhone(@ConnectedSocket() client: Socket, @MessageBody() payload: unknown): Promise<Ack> {
    return this.atOwner('check_phone_number', client, payload, () =>
      this.checkPhoneHere(client, payload),
    );
  }

  private checkPhoneHere(client: Socket, payload: unknown): Promise<Ack> {
    return this.reply(client, payload, 'read', 'phone_check_error', ['phoneNumber'], () =>
      this.messaging.checkPhone(payload),
    );
  }

  @SubscribeMessage('get_profile_info')
  getProfile(@ConnectedSocket() client: Socket, @MessageBody() payload: unknown): Promise<Ack> {
    return this.atOwner('get_profile_info', client, payload, () =>
      this.getProfileHere(client, payload),
    );
  }

  private getProfileHere(client: Socket, payload: unknown): Promise<Ack> {
    return this.reply(client, payload, 'read', 'profile_error', ['phoneNumber'], () =>
      this.messaging.profile(payload),
    );
  }

  @SubscribeMessage('send_typing')
  sendTyping(@ConnectedSocket() client: Socket, @MessageBody() payload: unknown): Promise<Ack> {
    return this.atOwner('send_typing', client, payload, () => this.sendTypingHere(client, payload));
  }

  private sendTypingHere(client: Socket, payload: unknown): Promise<Ack> {
    return this.reply(client, payload, 'send', 'typing_error', ['to'], () =>
      this.messaging.typing(payload),
    );
  }

  @SubscribeMessage('read_message')
  readMessage(@ConnectedSocket() client: Socket, @MessageBody() payload: unknown): Promise<Ack> {
    return this.atOwner('read_message', client, payload, () =>
      this.readMessageHere(client, payload),
    );
  }

  private readMessageHere(client: Socket, payload: unknown): Promise<Ack> {
    return this.reply(client, payload, 'send', 'read_error', ['messageKey'], () =>
      this.messaging.read(payload),
    );
  }

  /**
   * Cluster: an event that needs the session's live connection is carried out by the process
   * that owns the session; its acknowledgement and the events it emitted come back to the caller.
   */
  private async atOwner(
    event: OwnerEvent,
    client: Socket,
    payload: unknown,
    here: () => Promise<Ack>,
  ): Promise<Ack> {
    const sessionId = sessionIdOrNull(payload);
    if (!this.ownership.clustered || !sessionId || this.ownership.holds(sessionId)) {
      return here();
    }
    const owner = await this.ownership.ownerOf(sessionId).catch(() => null);
    if (!owner || owner.local) {
      return here();
    }
    try {
      const reply = await this.peers.post<ForwardedReply<Ack>>(
        owner,
        `/cluster/socket-events/${event}`,
        {
          payload,
          key: apiKeyFromHandshake(client) ?? '',
          clientId: client.id,
          address: client.handshake.address ?? null,
        } satisfies ForwardedEvent,
      );
      for (const emitted of reply.emitted) {
        client.emit(emitted.event, emitted.payload);
      }
      return reply.ack;
    } catch (error) {
      const message = error instanceof DomainError ? error.message : 'Internal server error';
      client.emit('session_error', { sessionId, message });
      return { success: false, message };
    }
  }

  /** Runs an event another process forwarded here (this process owns its session). */
  async runForwarded(event: OwnerEvent, forwarded: ForwardedEvent): Promise<ForwardedReply<Ack>> {
    const principal = await this.apiKeys.authenticate(forwarded.key);
    if (!principal) {
      throw new DomainError(HttpStatus.UNAUTHORIZED, 'Invalid API key');
    }
    const { socket, emitted } = forwardedCaller(principal, forwarded);
    const handlers: Record<OwnerEvent, (client: Socket, payload: unknown) => Promise<Ack>> = {
      stop_session: (c, p) => this.stopSessionHere(c, p),
      logout_session: (c, p) => this.logoutSessionHere(c, p),
      send_whatsapp_message: (c, p) => this.sendMessageHere(c, p),
      check_phone_number: (c, p) => this.checkPhoneHere(c, p),
      get_profile_info: (c, p) => this.getProfileHere(c, p),
      send_typing: (c, p) => this.sendTypingHere(c, p),
      read_message: (c, p) => this.readMessageHere(c, p),
    };
    const ack = await handlers[event](socket, forwarded.payload);
    return { ack, emitted };
  }

  /** A session lifecycle command: needs `manage`, and is audited as `action` however it ends. */
  private manage(
    action: string,
    client: Socket,
    payload: unknown,
    run: () => Promise<{ message: string; data: unknown }>,
  ): Promise<Ack> {
    return this.handle(client, payload, 'manage', run, { audit: action });
  }

  /** A command with a documented reply event; a failure goes to `errorEvent` with `echo` fields. */
  private reply(
    client: Socket,
    payload: unknown,
    permission: Permission,
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
      permission,
      async () => {
        const { message, data, event, payload: replyPayload } = await run();
        client.emit(event, replyPayload);
        return { message, data };
      },
      { onError: { event: errorEvent, fields } },
    );
  }

  private async activeSessions() {
    const views = await this.credentials.list('active', undefined);
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

  /**
   * The same rules as REST: a session outside the key's scope is "Session not found"; one inside
   * it without the permission is "Forbidden for this session".
   */
  private authorize(client: Socket, payload: unknown, permission: Permission): void {
    const principal = dataOf(client).principal;
    if (!principal) {
      throw new DomainError(HttpStatus.UNAUTHORIZED, 'Invalid API key');
    }
    const sessionId = sessionIdOrNull(payload);
    if (sessionId && !canSee(principal, sessionId)) {
      throw new SessionNotFound(sessionId);
    }
    if (!can(principal, permission)) {
      throw new DomainError(
        HttpStatus.FORBIDDEN,
        sessionId ? 'Forbidden for this session' : 'Forbidden',
      );
    }
  }

  /** What the client's key may see of a list of sessions. */
  private visible<T extends { sessionId: string }>(client: Socket, items: T[]): T[] {
    const principal = dataOf(client).principal;
    return principal ? items.filter((item) => canSee(principal, item.sessionId)) : [];
  }

  /** The session a subscribe/unsubscribe names, or "*" for all of them. */
  private targetOf(payload: unknown): string {
    if (payload === '*' || (payload as { sessionId?: unknown } | null)?.sessionId === '*') {
      return '*';
    }
    return sessionIdFrom(payload);
  }

  /**
   * Runs a client event; a failure becomes `session_error` (or `options.onError`) plus a failed
   * acknowledgement. An `options.audit` action is written to the audit trail however it ends,
   * like the REST route that does the same (refusals as `denied`).
   */
  private async handle(
    client: Socket,
    payload: unknown,
    permission: Permission,
    run: () => Promise<{ message: string; data: unknown }>,
    options: { onError?: ErrorReply; audit?: string } = {},
  ): Promise<Ack> {
    const onError = options.onError ?? { event: 'session_error', fields: {} };
    let authorized = false;
    try {
      this.authorize(client, payload, permission);
      authorized = true;
      const { message, data } = await run();
      await this.record(client, payload, options.audit, 'success', HttpStatus.OK);
      return { success: true, message, data };
    } catch (error) {
      let message = 'Internal server error';
      let status: number = HttpStatus.INTERNAL_SERVER_ERROR;
      if (error instanceof DomainError) {
        message = error.message;
        status = error.status;
      } else {
        this.logger.error(
          `socket event failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
      }
      const refused = !authorized || status === 403;
      await this.record(client, payload, options.audit, refused ? 'denied' : 'failure', status);
      client.emit(onError.event, {
        sessionId: sessionIdOrNull(payload),
        ...onError.fields,
        message,
      });
      return { success: false, message };
    }
  }

  /**
   * One audit row for an audited client event. socket.io has no request id: each event gets
   * `ws:<socket id>:<n>`, its socket's id and its number among that socket's audited events.
   */
  private nextEventNumber(client: Socket): number {
    const next = (this.auditedEvents.get(client) ?? 0) + 1;
    this.auditedEvents.set(client, next);
    return next;
  }

  private record(
    client: Socket,
    payload: unknown,
    action: string | undefined,
    outcome: AuditOutcome,
    statusCode: number,
  ): Promise<void> {
    if (!action) {
      return Promise.resolve();
    }
    const principal = dataOf(client).principal;
    return this.audit.record({
      keyId: principal?.keyId ?? null,
      keyName: principal?.name ?? null,
      action,
      sessionId: sessionIdOrNull(payload),
      target: 'socket.io',
      outcome,
      statusCode,
      clientIp: client.handshake.address ?? null,
      requestId: `ws:${client.id}:${this.nextEventNumber(client)}`,
    });
  }
}
