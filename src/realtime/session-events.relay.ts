import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { QrImageService } from '../sessions/qr-image.service';
import { connectionStatusOf, toUserInfo } from '../sessions/session-presenter';
import { SessionsService } from '../sessions/sessions.service';
import { SessionEvents } from '../whatsapp/session-events';
import type {
  AccountInfo,
  SessionAccountUpdatedEvent,
  SessionConnectedEvent,
  SessionDisconnectedEvent,
  SessionQrEvent,
  SessionStateChangedEvent,
} from '../whatsapp/session-events';
import { SessionManager } from '../whatsapp/session-manager';
import type { SessionStatusViewDto } from '../sessions/dto/session-view.dto';
import { toSession } from './rooms';
import { SessionsGateway } from './sessions.gateway';

/**
 * Fans session domain events out to the session's subscribers as seed 002's events. Events of
 * one session are emitted in the order they were published, even when building one (a QR image,
 * the status row) takes a moment.
 */
@Injectable()
export class SessionEventsRelay {
  private readonly logger = new Logger('SessionEventsRelay');
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly gateway: SessionsGateway,
    private readonly qrImages: QrImageService,
    private readonly sessions: SessionsService,
    private readonly manager: SessionManager,
  ) {}

  @OnEvent(SessionEvents.Qr)
  onQr(event: SessionQrEvent): void {
    this.inOrder(event.sessionId, async () => ({
      qr_code: {
        sessionId: event.sessionId,
        qr: event.qr,
        qrCode: await this.qrImages.dataUrl(event.qr),
        expiresAt: event.expiresAt.toISOString(),
      },
    }));
  }

  @OnEvent(SessionEvents.Connected)
  onConnected(event: SessionConnectedEvent): void {
    this.inOrder(event.sessionId, () =>
      Promise.resolve({
        session_connected: {
          sessionId: event.sessionId,
          userInfo: this.userInfo(event.sessionId, event.account),
          connectedAt: event.at.toISOString(),
        },
      }),
    );
  }

  /** The push name (and LID) arrive moments after the first link: say so. */
  @OnEvent(SessionEvents.AccountUpdated)
  onAccountUpdated(event: SessionAccountUpdatedEvent): void {
    this.inOrder(event.sessionId, () =>
      Promise.resolve({
        session_updated: {
          sessionId: event.sessionId,
          userInfo: this.userInfo(event.sessionId, event.account),
          updatedAt: event.at.toISOString(),
        },
      }),
    );
  }

  @OnEvent(SessionEvents.Disconnected)
  onDisconnected(event: SessionDisconnectedEvent): void {
    this.inOrder(event.sessionId, () =>
      Promise.resolve({
        session_disconnected: {
          sessionId: event.sessionId,
          reason: event.reason,
          statusCode: event.statusCode,
          willReconnect: event.willReconnect,
          loggedOut: event.loggedOut,
          disconnectedAt: event.at.toISOString(),
        },
      }),
    );
  }

  /** The same shape as the reply to `get_session_status`, plus what changed. */
  @OnEvent(SessionEvents.StateChanged)
  onStateChanged(event: SessionStateChangedEvent): void {
    this.inOrder(event.sessionId, async () => ({
      session_status: {
        ...(await this.statusOf(event)),
        status: event.state,
        connectionStatus: connectionStatusOf(event.state),
        previousStatus: event.previousState,
        reason: event.reason,
        at: event.at.toISOString(),
      },
    }));
  }

  private async statusOf(event: SessionStateChangedEvent): Promise<SessionStatusViewDto> {
    try {
      return await this.sessions.status(event.sessionId);
    } catch {
      // The row is gone (the session was deleted): what the event itself says
      return {
        sessionId: event.sessionId,
        status: event.state,
        connectionStatus: connectionStatusOf(event.state),
        isActive: false,
        isAuthenticated: false,
        hasQr: false,
        qrExpiresAt: null,
        connectedAt: null,
        disconnectedAt: event.at.toISOString(),
        disconnectReason: event.reason,
        queueLength: 0,
      };
    }
  }

  private userInfo(sessionId: string, account: AccountInfo) {
    return toUserInfo(account, this.manager.get(sessionId)?.registered ?? false);
  }

  /** Builds and emits `{event: payload}` after every earlier event of the same session. */
  private inOrder(sessionId: string, build: () => Promise<Record<string, unknown>>): void {
    const previous = this.queues.get(sessionId) ?? Promise.resolve();
    const next = previous
      .then(build)
      .then((events) => {
        const server = this.gateway.server;
        for (const [name, payload] of Object.entries(events)) {
          if (server) {
            toSession(server, sessionId).emit(name, payload);
          }
        }
      })
      .catch((error: unknown) => this.logger.warn(`[${sessionId}] relay failed: ${String(error)}`))
      .finally(() => {
        if (this.queues.get(sessionId) === next) {
          this.queues.delete(sessionId);
        }
      });
    this.queues.set(sessionId, next);
  }
}
