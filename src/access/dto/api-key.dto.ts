import { ApiProperty, PickType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { PERMISSIONS } from '../permissions';
import type { Permission } from '../permissions';

export class CreateApiKeyDto {
  /** What the key is for (shown in lists and the audit trail) */
  @ApiProperty({ example: 'sales dashboard' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  /** The sessions the key may see: ids, or ["*"] for every session */
  @ApiProperty({ example: ['sales-1'], type: [String] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @Matches(/^(\*|[A-Za-z0-9_.-]{1,100})$/, {
    each: true,
    message: 'each session must be a session id or "*"',
  })
  sessions!: string[];

  /** read (lists, status, stored data), send (messages, typing, read marks), manage (lifecycle, grabs, contact deletes, webhooks), admin (keys, audit) */
  @ApiProperty({ example: ['read', 'send'], enum: PERMISSIONS, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @IsIn(PERMISSIONS, { each: true })
  permissions!: Permission[];
}

export class ApiKeyViewDto {
  @ApiProperty({ example: '3' })
  id!: string;

  @ApiProperty({ example: 'sales dashboard' })
  name!: string;

  /** The secret's first characters */
  @ApiProperty({ example: 'wag_Xk3f9aQ2' })
  prefix!: string;

  @ApiProperty({ example: ['sales-1'], type: [String] })
  sessions!: string[];

  @ApiProperty({ example: ['read', 'send'], enum: PERMISSIONS, isArray: true })
  permissions!: Permission[];

  @ApiProperty({ example: '2026-12-02T04:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: null, nullable: true, type: String })
  lastUsedAt!: string | null;
}

/** The calling key, as the guard sees it: `permissions` are the effective ones (`admin` lists all four). */
export class CurrentKeyDto extends PickType(ApiKeyViewDto, [
  'id',
  'name',
  'sessions',
  'permissions',
] as const) {}

export class CreatedApiKeyDto extends ApiKeyViewDto {
  /** The secret: shown this once, never again */
  @ApiProperty({ example: 'wag_Xk3f9aQ2pL...' })
  key!: string;
}

export class AuditEventDto {
  @ApiProperty({ example: '12' })
  id!: string;

  @ApiProperty({ example: '2026-12-02T04:00:00.000Z' })
  at!: string;

  @ApiProperty({ example: 'admin', nullable: true, type: String })
  key_id!: string | null;

  @ApiProperty({ example: 'admin (API_KEY)', nullable: true, type: String })
  key_name!: string | null;

  @ApiProperty({ example: 'session.start' })
  action!: string;

  @ApiProperty({ example: 'sales-1', nullable: true, type: String })
  session_id!: string | null;

  @ApiProperty({ example: null, nullable: true, type: String })
  target!: string | null;

  @ApiProperty({ example: 'success', enum: ['success', 'failure', 'denied'] })
  outcome!: string;

  @ApiProperty({ example: 200, nullable: true, type: Number })
  status_code!: number | null;

  @ApiProperty({ example: '127.0.0.1', nullable: true, type: String })
  client_ip!: string | null;

  @ApiProperty({ example: '5c1f...', nullable: true, type: String })
  request_id!: string | null;
}
