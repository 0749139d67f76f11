import { Injectable } from '@nestjs/common';
import { SessionManager } from '../../whatsapp/session-manager';
import type { SessionState, WhatsappSessionEntity } from '../../whatsapp/whatsapp-session.entity';

/** A session's state for /api/sessions/:session_id/status (snake_case, like the rest of 000). */
export interface ApiSessionStatusView {
  session_id: string;
  session_name: string | null;
  status: SessionState;
  is_active: boolean;
  is_connected: boolean;
  phone_number: string | null;
  push_name: string | null;
  connected_at: string | null;
  disconnected_at: string | null;
  disconnect_reason: string | null;
  has_qr: boolean;
  qr_expires_at: string | null;
}

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

@Injectable()
export class ApiSessionStatusService {
  constructor(private readonly manager: SessionManager) {}

  view(row: WhatsappSessionEntity): ApiSessionStatusView {
    const live = this.manager.get(row.sessionId);
    const status = live?.state ?? row.state;
    const qr = status === 'qr_waiting' && row.qrCode !== null;
    return {
      session_id: row.sessionId,
      session_name: row.name,
      status,
      is_active: live !== undefined,
      is_connected: status === 'connected',
      phone_number: live?.account?.phoneNumber ?? row.phoneNumber,
      push_name: live?.account?.name ?? row.pushName,
      connected_at: iso(row.connectedAt),
      disconnected_at: iso(row.disconnectedAt),
      disconnect_reason: row.disconnectReason,
      has_qr: qr,
      qr_expires_at: qr ? iso(row.qrExpiresAt) : null,
    };
  }
}
