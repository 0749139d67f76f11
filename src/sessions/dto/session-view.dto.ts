import { ApiProperty } from '@nestjs/swagger';
import { SESSION_STATES } from '../../whatsapp/whatsapp-session.entity';
import type { SessionState } from '../../whatsapp/whatsapp-session.entity';

export const CONNECTION_STATUSES = [
  'CONNECTING',
  'QR_WAITING',
  'AUTHENTICATED',
  'DISCONNECTED',
  'LOGGED_OUT',
] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

/** A session in seed 004's basic shape. */
export class SessionViewDto {
  /** Database id */
  @ApiProperty({ example: 1 })
  id!: number;

  @ApiProperty({ example: 'whatsapp_connectiona' })
  sessionId!: string;

  /** Display name, if one was given */
  @ApiProperty({ example: 'Sales', nullable: true, type: String })
  name!: string | null;

  /** Stored state */
  @ApiProperty({ enum: SESSION_STATES, example: 'connected' })
  status!: SessionState;

  @ApiProperty({ example: '2025-07-25T07:09:57.575Z' })
  createdAt!: string;

  @ApiProperty({ example: '2025-07-25T08:28:55.700Z' })
  updatedAt!: string;

  /** Whether the session is running in this process */
  @ApiProperty({ example: true })
  isActive!: boolean;

  /** Whether the session is logged in to WhatsApp */
  @ApiProperty({ example: true })
  isAuthenticated!: boolean;

  /** Epoch milliseconds when the session was started in this process; null when not active */
  @ApiProperty({ example: 1753432134215, nullable: true, type: Number })
  startTime!: number | null;

  /** Live connection status: the upper-case state, AUTHENTICATED for connected */
  @ApiProperty({ enum: CONNECTION_STATUSES, example: 'AUTHENTICATED' })
  connectionStatus!: ConnectionStatus;
}

export class UserInfoDto {
  /** The WhatsApp number, digits only */
  @ApiProperty({ example: '6283876013551' })
  phoneNumber!: string;

  /** The name registered on WhatsApp */
  @ApiProperty({ example: 'Popeye', nullable: true, type: String })
  name!: string | null;

  /** The linked device's JID */
  @ApiProperty({ example: '6283876013551:12@s.whatsapp.net' })
  jid!: string;

  /** The account's LID (WhatsApp's privacy id), once known */
  @ApiProperty({ example: '123456789012345@lid', nullable: true, type: String })
  lid!: string | null;

  @ApiProperty({ example: 'android', nullable: true, type: String })
  platform!: string | null;

  /** WhatsApp registration status (true after a pairing-code login) */
  @ApiProperty({ example: false })
  registered!: boolean;
}

/** Seed 004's session with credentials. */
export class SessionCredentialsViewDto extends SessionViewDto {
  @ApiProperty({ type: UserInfoDto, nullable: true })
  userInfo!: UserInfoDto | null;
}

export class SessionStatusViewDto {
  @ApiProperty({ example: 'sales-1' })
  sessionId!: string;

  @ApiProperty({ enum: SESSION_STATES, example: 'qr_waiting' })
  status!: SessionState;

  @ApiProperty({ enum: CONNECTION_STATUSES, example: 'QR_WAITING' })
  connectionStatus!: ConnectionStatus;

  @ApiProperty({ example: true })
  isActive!: boolean;

  @ApiProperty({ example: false })
  isAuthenticated!: boolean;

  /** Whether a QR code is waiting to be scanned (GET /sessions/:id/qr) */
  @ApiProperty({ example: true })
  hasQr!: boolean;

  @ApiProperty({ example: '2025-07-25T08:29:55.700Z', nullable: true, type: String })
  qrExpiresAt!: string | null;

  @ApiProperty({ example: null, nullable: true, type: String })
  connectedAt!: string | null;

  @ApiProperty({ example: null, nullable: true, type: String })
  disconnectedAt!: string | null;

  /** Why the session last disconnected (or why it is not running) */
  @ApiProperty({ example: null, nullable: true, type: String })
  disconnectReason!: string | null;

  /** Messages waiting in the session's paced send queue (the one being sent included) */
  @ApiProperty({ example: 0 })
  queueLength!: number;
}

export class SessionQrViewDto {
  @ApiProperty({ example: 'sales-1' })
  sessionId!: string;

  @ApiProperty({ enum: SESSION_STATES, example: 'qr_waiting' })
  status!: SessionState;

  /** The raw QR string (encode it with any QR library) */
  @ApiProperty({ example: '2@AbCdEf...,NoiseKeyB64,IdentityKeyB64,AdvSecretB64,1' })
  qr!: string;

  /** The QR code as a PNG data URL */
  @ApiProperty({ example: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA...' })
  qrCode!: string;

  @ApiProperty({ example: '2025-07-25T08:29:55.700Z' })
  expiresAt!: string;
}

export class PairingCodeViewDto {
  @ApiProperty({ example: 'sales-1' })
  sessionId!: string;

  @ApiProperty({ example: '6281234567890' })
  phoneNumber!: string;

  /** Type it on the phone: WhatsApp > Linked devices > Link with phone number */
  @ApiProperty({ example: 'ABCD1234' })
  pairingCode!: string;
}
