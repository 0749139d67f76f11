import { Transform } from 'class-transformer';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { toInt, trimmed, isTrue, configSection } from '../config/config-section';

export interface ContactsConfig {
  /** A grab that takes longer answers 504 (what it saved stays). */
  grabTimeoutMs: number;
  /** Upsert address book changes into `contacts` as they happen (sessions may override). */
  autoSync: boolean;
  /** Profile pictures fetched at once during a grab. */
  pictureConcurrency: number;
  pictureTimeoutMs: number;
}

/** The contact grabber and the address book's auto-sync. */
class ContactsEnvironment {
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(1)
  GRAB_TIMEOUT_MS = 120_000;

  @Transform(trimmed)
  @IsIn(['true', 'false', '1', '0'], { message: 'must be true or false' })
  CONTACTS_AUTO_SYNC = 'false';

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number' })
  @Min(1)
  @Max(64)
  PICTURE_CONCURRENCY = 8;

  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(100)
  PICTURE_TIMEOUT_MS = 5_000;
}

export const contactsConfig = configSection(ContactsEnvironment, (env): ContactsConfig => ({
  grabTimeoutMs: env.GRAB_TIMEOUT_MS,
  autoSync: isTrue(env.CONTACTS_AUTO_SYNC),
  pictureConcurrency: env.PICTURE_CONCURRENCY,
  pictureTimeoutMs: env.PICTURE_TIMEOUT_MS,
}));
