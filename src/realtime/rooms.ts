/** Every session's events. */
export const ALL_SESSIONS_ROOM = 'sessions:*';

export function sessionRoom(sessionId: string): string {
  return `session:${sessionId}`;
}

/** The rooms that get a session's events: its own and the all-sessions room. */
export function roomsFor(sessionId: string): string[] {
  return [sessionRoom(sessionId), ALL_SESSIONS_ROOM];
}
