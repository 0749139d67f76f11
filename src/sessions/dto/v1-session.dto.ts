import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PaginationQueryDto } from '../../common/http/pagination';
import { SESSION_STATES } from '../../whatsapp/whatsapp-session.entity';
import type { SessionState } from '../../whatsapp/whatsapp-session.entity';

export class V1SessionsQueryDto extends PaginationQueryDto {
  /** Only sessions in this state */
  @IsOptional()
  @IsIn(SESSION_STATES)
  @ApiProperty({ enum: SESSION_STATES, required: false })
  session_state?: SessionState;
}

/** A session in seed 003's snake_case shape (`user_token` is the session id). */
export class V1SessionDto {
  @ApiProperty({ example: 1 })
  id!: number;

  @ApiProperty({ example: 'genfitywa1' })
  user_token!: string;

  @ApiProperty({ example: 'Sales', nullable: true, type: String })
  session_name!: string | null;

  @ApiProperty({ enum: SESSION_STATES, example: 'qr_waiting' })
  session_state!: SessionState;

  /** The pending QR code as a PNG data URL */
  @ApiProperty({ example: 'data:image/png;base64,iVBORw0KGgo...', nullable: true, type: String })
  qr_code!: string | null;

  @ApiProperty({ example: '2025-08-14T07:56:41.000Z', nullable: true, type: String })
  qr_expired_at!: string | null;

  @ApiProperty({ example: null, nullable: true, type: String })
  connected_at!: string | null;

  @ApiProperty({ example: null, nullable: true, type: String })
  disconnected_at!: string | null;

  @ApiProperty({ example: null, nullable: true, type: String })
  disconnect_reason!: string | null;

  @ApiProperty({ example: '6281233784490', nullable: true, type: String })
  phone_number!: string | null;

  @ApiProperty({ example: 'Yoga', nullable: true, type: String })
  push_name!: string | null;

  @ApiProperty({ example: '6281233784490:24@s.whatsapp.net', nullable: true, type: String })
  jid!: string | null;

  @ApiProperty({ example: 'android', nullable: true, type: String })
  platform!: string | null;

  @ApiProperty({ example: true })
  is_active!: boolean;

  @ApiProperty({ example: '2025-08-14T07:55:41.000Z' })
  created_at!: string;

  @ApiProperty({ example: '2025-08-14T07:55:41.000Z' })
  updated_at!: string;
}

export class V1SessionQrDto extends V1SessionDto {
  /** The raw QR string */
  @ApiProperty({ example: '2@AbCdEf...,NoiseKeyB64,IdentityKeyB64,AdvSecretB64,1' })
  qr_string!: string;

  @ApiProperty({ example: false })
  is_expired!: boolean;

  /** The raw QR string, named as everywhere else in the API (socket.io `qr_code`, REST `/qr`) */
  @ApiProperty({ example: '2@AbCdEf...,NoiseKeyB64,IdentityKeyB64,AdvSecretB64,1' })
  qr!: string;

  /** The QR code as a PNG data URL (the same as `qr_code`) */
  @ApiProperty({ example: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA...' })
  qrCode!: string;
}
