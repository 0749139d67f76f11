import { isTrue, configSection, WholeNumber, Flag } from '../config/config-section';

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
  @WholeNumber({ min: 1, unit: 'milliseconds' })
  GRAB_TIMEOUT_MS = 120_000;

  @Flag()
  CONTACTS_AUTO_SYNC = 'false';

  @WholeNumber({ min: 1, max: 64 })
  PICTURE_CONCURRENCY = 8;

  @WholeNumber({ min: 100, unit: 'milliseconds' })
  PICTURE_TIMEOUT_MS = 5_000;
}

export const contactsConfig = configSection(ContactsEnvironment, (env): ContactsConfig => ({
  grabTimeoutMs: env.GRAB_TIMEOUT_MS,
  autoSync: isTrue(env.CONTACTS_AUTO_SYNC),
  pictureConcurrency: env.PICTURE_CONCURRENCY,
  pictureTimeoutMs: env.PICTURE_TIMEOUT_MS,
}));
