import type { WaGroup, WaLidMapping } from './address-book-events';

/**
 * Live address-book queries against a connected session (the port; Baileys implements it).
 * Every call rejects when the session has no socket in this process.
 */
export abstract class WaDirectory {
  /** Every group the account participates in, fresh from WhatsApp (also fed to the address book). */
  abstract fetchGroups(sessionId: string): Promise<WaGroup[]>;
  /** The profile picture URL of a user or group; null when it has none or hides it. */
  abstract profilePictureUrl(
    sessionId: string,
    jid: string,
    timeoutMs: number,
  ): Promise<string | null>;
  /** The LID-to-phone mappings the session's Signal store knows for these LIDs. */
  abstract phoneNumbersForLids(sessionId: string, lids: string[]): Promise<WaLidMapping[]>;
  /** The linked account's own JIDs (phone and LID), to tell "me" apart in groups. */
  abstract ownJids(sessionId: string): { jid: string | null; lid: string | null };
}
