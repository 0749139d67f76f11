import {
  IsBoolean,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  NotContains,
} from 'class-validator';
import { SESSION_ID_PATTERN } from '../session-id';

export class CreateSessionDto {
  /**
   * Session id: 1-100 characters from A-Z, a-z, 0-9, "_", "." and "-". A UUID is generated
   * when omitted. "all" and "connected" are reserved.
   * @example "sales-1"
   */
  @IsOptional()
  @IsString()
  @Matches(SESSION_ID_PATTERN, {
    message: 'sessionId must be 1-100 characters from A-Z, a-z, 0-9, "_", "." and "-"',
  })
  @Matches(/^(?!(all|connected)$)/, { message: 'sessionId "all" and "connected" are reserved' })
  sessionId?: string;

  /**
   * Display name
   * @example "Sales team"
   */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  name?: string;
}

export class PairingCodeRequestDto {
  /**
   * The WhatsApp number to link, with country code (local numbers get DEFAULT_COUNTRY_CODE)
   * @example "6281234567890"
   */
  @IsString()
  @IsNotEmpty()
  @NotContains('@', { message: 'phoneNumber must be a phone number, not a JID' })
  @MaxLength(32)
  phoneNumber!: string;
}

export class UpdateSessionDto {
  /**
   * Display name
   * @example "Sales team"
   */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  name?: string;

  /**
   * Upsert address book changes into the stored contacts as they happen (CONTACTS_AUTO_SYNC for
   * this session); null follows the global setting
   * @example true
   */
  @IsOptional()
  @IsBoolean()
  contactsAutoSync?: boolean | null;
}
