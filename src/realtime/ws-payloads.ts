import { DomainError } from '../common/errors/domain-errors';
import { isValidSessionId } from '../sessions/session-id';

/** A client event payload that is not what the event takes: answered like a 400. */
export class BadPayload extends DomainError {
  constructor(message: string) {
    super(400, message);
  }
}

function asObject(payload: unknown): Record<string, unknown> {
  if (typeof payload === 'string') {
    try {
      return asObject(JSON.parse(payload));
    } catch {
      throw new BadPayload('Payload must be an object such as {"sessionId": "my-session"}');
    }
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new BadPayload('Payload must be an object such as {"sessionId": "my-session"}');
  }
  return payload as Record<string, unknown>;
}

/** `{sessionId}` from a client event payload, checked as CONTRACT §2 says. */
export function sessionIdFrom(payload: unknown): string {
  const { sessionId } = asObject(payload);
  if (!isValidSessionId(sessionId)) {
    throw new BadPayload(
      'sessionId is required: 1-100 characters from A-Z, a-z, 0-9, "_", "." and "-"',
    );
  }
  return sessionId;
}

export function optionalString(
  payload: unknown,
  field: string,
  maxLength = 255,
): string | undefined {
  const value = asObject(payload)[field];
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'string' || value.length > maxLength) {
    throw new BadPayload(`${field} must be a string of at most ${maxLength} characters`);
  }
  return value;
}

/** The session id carried by a payload, if it has a valid one (for error events). */
export function sessionIdOrNull(payload: unknown): string | null {
  try {
    return sessionIdFrom(payload);
  } catch {
    return null;
  }
}
