import { ApiProperty } from '@nestjs/swagger';
import { SESSION_STATES } from '../whatsapp-session.entity';
import type { SessionState } from '../whatsapp-session.entity';

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
