import type { SessionState } from './whatsapp-session.entity';
import type { AccountInfo } from './session-events';

/** What the running process knows about a live session. */
export interface LiveSession {
  sessionId: string;
  state: SessionState;
  /** When this process started the session. */
  startedAt: Date;
  account: AccountInfo | null;
  /** Whether WhatsApp knows the device as registered (pairing-code logins). */
  registered: boolean;
}

/**
 * Runs WhatsApp sessions. This abstract class is the DI token every module uses; the Baileys
 * implementation is the only code that talks to WhatsApp. Start, stop, restart and logout of
 * one session are serialized.
 */
export abstract class SessionManager {
  /** Starts (or keeps running) a stored session and resolves with its live state. */
  abstract start(sessionId: string): Promise<LiveSession>;
  /** Closes the socket without logging out; the session stays linked. */
  abstract stop(sessionId: string): Promise<void>;
  abstract restart(sessionId: string): Promise<LiveSession>;
  /** Unlinks the device from the phone and clears the auth state. */
  abstract logout(sessionId: string): Promise<void>;
  /** Logs out if possible, stops and forgets the auth state (the row is the caller's). */
  abstract remove(sessionId: string): Promise<void>;
  /** Asks WhatsApp for a code to type on the phone instead of scanning a QR. */
  abstract requestPairingCode(sessionId: string, phoneNumber: string): Promise<string>;
  /**
   * Starts the stored, paired sessions that are not logged out: at boot those that were running
   * (auto-start), on request (`includeStopped`) the stopped ones too. Resolves with their ids.
   */
  abstract restoreAll(options?: { includeStopped?: boolean }): Promise<string[]>;
  abstract get(sessionId: string): LiveSession | undefined;
  abstract list(): LiveSession[];
}
