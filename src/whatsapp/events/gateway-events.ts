import type { AccountInfo } from '../session-events';
import type { WaChatPresence, WaMessage, WaStatusUpdate } from '../message-events';

/**
 * What the gateway reports to integrators once it is stored: one union for every sink that
 * needs a durable record (the webhook outbox maps each to a 003 envelope). Persisters build
 * these and pass them to `EventOutbox.record` inside the transaction that stores the change.
 */
export type GatewayEvent =
  | { kind: 'message'; sessionId: string; message: WaMessage }
  | { kind: 'message_status'; sessionId: string; update: WaStatusUpdate }
  | {
      kind: 'message_failed';
      sessionId: string;
      messageId: string;
      to: string;
      reason: string;
      at: Date;
    }
  | { kind: 'chat_presence'; sessionId: string; presence: WaChatPresence }
  | { kind: 'session_connected'; sessionId: string; account: AccountInfo; at: Date }
  | {
      kind: 'session_disconnected';
      sessionId: string;
      statusCode: number | null;
      reason: string;
      willReconnect: boolean;
      at: Date;
    }
  | { kind: 'session_logged_out'; sessionId: string; reason: string; at: Date }
  | { kind: 'session_qr'; sessionId: string; qr: string; expiresAt: Date }
  | {
      kind: 'grab_completed';
      sessionId: string;
      scope: 'groups' | 'contacts' | 'all';
      totalGroups: number;
      totalContacts: number;
      savedCount: number;
      updatedCount: number;
      at: Date;
    }
  | {
      /** A campaign changed state (running, paused, completed, cancelled), with its counts. */
      kind: 'campaign_progress';
      sessionId: string;
      campaignId: string;
      name: string;
      state: string;
      pauseReason: string | null;
      total: number;
      counts: Record<string, number>;
      at: Date;
    };

export type GatewayEventKind = GatewayEvent['kind'];
