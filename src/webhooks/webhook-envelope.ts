import type { GatewayEvent } from '../whatsapp/events/gateway-events';
import type { MessageStatus } from '../whatsapp/message-events';
import type { WebhookEventType } from './webhook-event-types';

/** The 003 envelope: `{type, event, token}` plus the type's extra top-level fields. */
export interface WebhookEnvelope {
  type: WebhookEventType;
  event: unknown;
  token: string;
  [extra: string]: unknown;
}

/** Renders a raw QR string as a PNG data URL (003's `qrCodeBase64`). */
export type QrRenderer = (qr: string) => Promise<string>;

const RECEIPT_TYPES: Partial<Record<MessageStatus, string>> = {
  // whatsmeow's ReceiptTypeDelivered is the empty string
  delivered: '',
  read: 'read',
  played: 'played',
  sent: 'sender',
};

function capitalized(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}

/** The 003 envelope reporting `event`, so a receiver written for 003 works unchanged. */
export async function toEnvelope(
  event: GatewayEvent,
  renderQr: QrRenderer,
): Promise<WebhookEnvelope> {
  const token = event.sessionId;
  switch (event.kind) {
    case 'message': {
      const m = event.message;
      return {
        type: 'Message',
        token,
        event: {
          Info: {
            ID: m.id,
            Sender: m.senderJid,
            Chat: m.chatJid,
            IsFromMe: m.fromMe,
            IsGroup: m.isGroup,
            PushName: m.pushName ?? '',
            Type: m.type,
            Timestamp: m.timestamp.toISOString(),
          },
          Message: m.content,
        },
      };
    }
    case 'message_status': {
      const u = event.update;
      if (u.status === 'failed') {
        return {
          type: 'MessageFailed',
          token,
          event: {
            MessageID: u.messageId,
            Chat: u.chatJid,
            Reason: 'failed',
            Timestamp: u.at.toISOString(),
          },
        };
      }
      return {
        type: 'ReadReceipt',
        token,
        state: capitalized(u.status),
        event: {
          Chat: u.chatJid,
          Sender: u.participantJid ?? u.chatJid,
          MessageIDs: [u.messageId],
          Timestamp: u.at.toISOString(),
          Type: RECEIPT_TYPES[u.status] ?? u.status,
        },
      };
    }
    case 'message_failed':
      return {
        type: 'MessageFailed',
        token,
        event: {
          MessageID: event.messageId,
          Chat: event.to,
          Reason: event.reason,
          Timestamp: event.at.toISOString(),
        },
      };
    case 'chat_presence': {
      const p = event.presence;
      if (p.state === 'available' || p.state === 'unavailable') {
        return {
          type: 'Presence',
          token,
          event: {
            From: p.participantJid,
            Unavailable: p.state === 'unavailable',
            Timestamp: p.at.toISOString(),
          },
        };
      }
      return {
        type: 'ChatPresence',
        token,
        event: {
          Chat: p.chatJid,
          Sender: p.participantJid,
          State: p.state === 'recording' ? 'composing' : p.state,
          Media: p.state === 'recording' ? 'audio' : '',
        },
      };
    }
    case 'session_connected':
      return {
        type: 'Connected',
        token,
        event: {
          Timestamp: event.at.toISOString(),
          JID: event.account.jid,
          PhoneNumber: event.account.phoneNumber,
          PushName: event.account.name ?? '',
        },
      };
    case 'session_disconnected':
      return {
        type: 'Disconnected',
        token,
        event: {
          Timestamp: event.at.toISOString(),
          Reason: event.reason,
          StatusCode: event.statusCode,
          WillReconnect: event.willReconnect,
        },
      };
    case 'session_logged_out':
      return {
        type: 'LoggedOut',
        token,
        event: { Timestamp: event.at.toISOString(), Reason: event.reason, OnConnect: false },
      };
    case 'session_qr':
      return {
        type: 'QR',
        token,
        event: 'code',
        qrCodeBase64: event.qr.startsWith('data:image/') ? event.qr : await renderQr(event.qr),
        expiresAt: event.expiresAt.toISOString(),
      };
    case 'grab_completed':
      return {
        type: 'GrabCompleted',
        token,
        event: {
          Scope: event.scope,
          TotalGroups: event.totalGroups,
          TotalContacts: event.totalContacts,
          SavedCount: event.savedCount,
          UpdatedCount: event.updatedCount,
          Timestamp: event.at.toISOString(),
        },
      };
    case 'campaign_progress':
      return {
        type: 'CampaignProgress',
        token,
        event: {
          CampaignID: event.campaignId,
          Name: event.name,
          State: event.state,
          PauseReason: event.pauseReason,
          Total: event.total,
          Counts: event.counts,
          Timestamp: event.at.toISOString(),
        },
      };
    default: {
      const unreachable: never = event;
      throw new Error(`unknown gateway event ${JSON.stringify(unreachable)}`);
    }
  }
}
