import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { QrImageService } from '../sessions/qr-image.service';
import { SessionEvents } from '../whatsapp/session-events';
import type {
  SessionConnectedEvent,
  SessionDisconnectedEvent,
  SessionQrEvent,
  SessionStateChangedEvent,
} from '../whatsapp/session-events';
import { connectionStatusOf } from '../sessions/session-presenter';
import { roomsFor } from './rooms';
import { SessionsGateway } from './sessions.gateway';

/** Fans session domain events out to the session's room (and the all-sessions room) as seed 002's events. */
@Injectable()
export class SessionEventsRelay {
  constructor(
    private readonly gateway: SessionsGateway,
    private readonly qrImages: QrImageService,
  ) {}

  @OnEvent(SessionEvents.Qr, { promisify: true, suppressErrors: true })
  async onQr(event: SessionQrEvent): Promise<void> {
    this.emit(event.sessionId, 'qr_code', {
      sessionId: event.sessionId,
      qrCode: event.qr,
      qrImage: await this.qrImages.dataUrl(event.qr),
      expiresAt: event.expiresAt.toISOString(),
    });
  }

  @OnEvent(SessionEvents.Connected, { suppressErrors: true })
  onConnected(event: SessionConnectedEvent): void {
    this.emit(event.sessionId, 'session_connected', {
      sessionId: event.sessionId,
      userInfo: event.account,
      connectedAt: event.at.toISOString(),
    });
  }

  @OnEvent(SessionEvents.Disconnected, { suppressErrors: true })
  onDisconnected(event: SessionDisconnectedEvent): void {
    this.emit(event.sessionId, 'session_disconnected', {
      sessionId: event.sessionId,
      reason: event.reason,
      statusCode: event.statusCode,
      willReconnect: event.willReconnect,
      loggedOut: event.loggedOut,
      disconnectedAt: event.at.toISOString(),
    });
  }

  @OnEvent(SessionEvents.StateChanged, { suppressErrors: true })
  onStateChanged(event: SessionStateChangedEvent): void {
    this.emit(event.sessionId, 'session_status', {
      sessionId: event.sessionId,
      status: event.state,
      previousStatus: event.previousState,
      connectionStatus: connectionStatusOf(event.state),
      reason: event.reason,
      at: event.at.toISOString(),
    });
  }

  private emit(sessionId: string, event: string, payload: unknown): void {
    this.gateway.server?.to(roomsFor(sessionId)).emit(event, payload);
  }
}
