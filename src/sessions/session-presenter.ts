import type { LiveSession } from '../whatsapp/session-manager';
import type {
  ConnectionStatus,
  SessionCredentialsViewDto,
  SessionStatusViewDto,
  SessionViewDto,
  UserInfoDto,
} from './dto/session-view.dto';
import type { AccountInfo } from '../whatsapp/session-events';
import type { SessionState, WhatsappSessionEntity } from '../whatsapp/whatsapp-session.entity';

export function connectionStatusOf(state: SessionState): ConnectionStatus {
  return state === 'connected' ? 'AUTHENTICATED' : (state.toUpperCase() as ConnectionStatus);
}

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

/** The live state of a running session, else the stored one. */
export function stateOf(row: WhatsappSessionEntity, live?: LiveSession): SessionState {
  return live?.state ?? row.state;
}

/** Seed 004's basic session view; `live` is the running session, if any. */
export function toSessionView(row: WhatsappSessionEntity, live?: LiveSession): SessionViewDto {
  const state = stateOf(row, live);
  return {
    id: Number(row.id),
    sessionId: row.sessionId,
    name: row.name,
    status: state,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    isActive: live !== undefined,
    isAuthenticated: state === 'connected',
    startTime: live ? live.startedAt.getTime() : null,
    connectionStatus: connectionStatusOf(state),
  };
}

/** Seed 004's session with credentials: the linked account, when there is one. */
export function toCredentialsView(
  row: WhatsappSessionEntity,
  live?: LiveSession,
): SessionCredentialsViewDto {
  const account = live?.account;
  const phoneNumber = account?.phoneNumber ?? row.phoneNumber;
  const jid = account?.jid ?? row.jid;
  return {
    ...toSessionView(row, live),
    userInfo:
      phoneNumber && jid
        ? toUserInfo(
            {
              phoneNumber,
              name: account?.name ?? row.pushName,
              jid,
              lid: account?.lid ?? row.lid,
              platform: account?.platform ?? row.platform,
            },
            live?.registered ?? false,
          )
        : null,
  };
}

/** The one `userInfo` shape: REST credentials, `session_connected` and `session_updated`. */
export function toUserInfo(account: AccountInfo, registered: boolean): UserInfoDto {
  return {
    phoneNumber: account.phoneNumber,
    name: account.name,
    jid: account.jid,
    lid: account.lid,
    platform: account.platform,
    registered,
  };
}

export function toStatusView(
  row: WhatsappSessionEntity,
  live: LiveSession | undefined,
  queueLength: number,
): SessionStatusViewDto {
  const state = stateOf(row, live);
  return {
    sessionId: row.sessionId,
    status: state,
    connectionStatus: connectionStatusOf(state),
    isActive: live !== undefined,
    isAuthenticated: state === 'connected',
    hasQr: state === 'qr_waiting' && row.qrCode !== null,
    qrExpiresAt: state === 'qr_waiting' ? iso(row.qrExpiresAt) : null,
    connectedAt: iso(row.connectedAt),
    disconnectedAt: iso(row.disconnectedAt),
    disconnectReason: row.disconnectReason,
    queueLength,
  };
}

/** Seed 003's snake_case session (`user_token` is the session id). */
export interface V1SessionView {
  id: number;
  user_token: string;
  session_name: string | null;
  session_state: SessionState;
  qr_code: string | null;
  qr_expired_at: string | null;
  connected_at: string | null;
  disconnected_at: string | null;
  disconnect_reason: string | null;
  phone_number: string | null;
  push_name: string | null;
  jid: string | null;
  platform: string | null;
  is_active: boolean;
  created_at: string;
  updated_at: string;
}

export function toV1SessionView(
  row: WhatsappSessionEntity,
  live: LiveSession | undefined,
  qrDataUrl: string | null,
): V1SessionView {
  return {
    id: Number(row.id),
    user_token: row.sessionId,
    session_name: row.name,
    session_state: stateOf(row, live),
    qr_code: qrDataUrl,
    qr_expired_at: qrDataUrl ? iso(row.qrExpiresAt) : null,
    connected_at: iso(row.connectedAt),
    disconnected_at: iso(row.disconnectedAt),
    disconnect_reason: row.disconnectReason,
    phone_number: row.phoneNumber,
    push_name: row.pushName,
    jid: row.jid,
    platform: row.platform,
    is_active: live !== undefined,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
