import { IsIn, IsISO8601, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PaginationQueryDto } from '../../common/http/pagination';
import { AUDIT_OUTCOMES } from '../audit-event.entity';
import type { AuditOutcome } from '../audit-event.entity';

export class AuditQueryDto extends PaginationQueryDto {
  /** e.g. session.start, contacts.grab_all, key.create */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  action?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_.-]{1,100}$/, { message: 'session_id must be a session id' })
  session_id?: string;

  /** "admin" or a key id */
  @IsOptional()
  @Matches(/^(admin|\d{1,18})$/, { message: 'key_id must be "admin" or a key id' })
  key_id?: string;

  @IsOptional()
  @IsIn(AUDIT_OUTCOMES)
  outcome?: AuditOutcome;

  /** ISO 8601 date-time, inclusive */
  @IsOptional()
  @IsISO8601()
  from?: string;

  /** ISO 8601 date-time, inclusive */
  @IsOptional()
  @IsISO8601()
  to?: string;
}
