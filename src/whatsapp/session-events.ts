import type { SessionState } from './whatsapp-session.entity';

/** The linked WhatsApp account of a connected session. */
export interface AccountInfo {
  /** Digits only, e.g. 6281234567890. */
  phoneNumber: string;
  name: string | null;
  /** The device JID, e.g. 6281234567890:12@s.whatsapp.net. */
  jid: string;
  lid: string | null;
  platform: string | null;
}

/** Names of the domain events the session layer publishes on the internal event bus. */
export const SessionEvents = {
  StateChanged: 'session.state_changed',
  Qr: 'session.qr',
  Connected: 'session.connected',
  Disconnected: 'session.disconnected',
  AccountUpdated: 'session.account_updated',
  Removed: 'session.removed',
} as const;

export interface SessionStateChangedEvent {
  sessionId: string;
  state: SessionState;
  previousState: SessionState;
  reason: string | null;
  at: Date;
}

export interface SessionQrEvent {
  sessionId: string;
  /** The raw string to encode in a QR code. */
  qr: string;
  expiresAt: Date;
}

export interface SessionConnectedEvent {
  sessionId: string;
  account: AccountInfo;
  at: Date;
}

export interface SessionDisconnectedEvent {
  sessionId: string;
  /** Baileys/WhatsApp close code (515, 401, 440, 428, ...) when there is one. */
  statusCode: number | null;
  reason: string;
  /** True when the session will reconnect by itself. */
  willReconnect: boolean;
  /** True when the device was logged out (auth state cleared). */
  loggedOut: boolean;
  at: Date;
}

/** The linked account's details changed while connected (the push name arrives after login). */
export interface SessionAccountUpdatedEvent {
  sessionId: string;
  account: AccountInfo;
  at: Date;
}

export interface SessionRemovedEvent {
  sessionId: string;
  at: Date;
}
