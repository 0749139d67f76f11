import type { GrabScope } from './grab-types';

/** Internal bus events of a grab; the socket.io relay sends them to the session's room. */
export const GrabEvents = {
  /** `GrabProgressEvent` */
  Progress: 'contacts.grab_progress',
  /** `GrabCompletedEvent` */
  Completed: 'contacts.grab_completed',
} as const;

export type GrabPhase = 'fetching' | 'pictures' | 'saving';

export interface GrabProgressEvent {
  sessionId: string;
  phase: GrabPhase;
  done: number;
  total: number;
}

export interface GrabCompletedEvent {
  sessionId: string;
  scope: GrabScope;
  totalGroups: number;
  totalContacts: number;
  savedCount: number;
  updatedCount: number;
  errors: number;
  grabbedAt: Date;
}
