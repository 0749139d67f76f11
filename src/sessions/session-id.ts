/** CONTRACT §2: 1-100 characters from [A-Za-z0-9_.-]. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_.-]{1,100}$/;

/** Ids that would collide with fixed routes under /sessions/. */
export const RESERVED_SESSION_IDS = new Set(['all', 'connected']);

export function isValidSessionId(value: unknown): value is string {
  return typeof value === 'string' && SESSION_ID_PATTERN.test(value);
}
