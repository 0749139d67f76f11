import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-errors';

export class NotOnWhatsApp extends DomainError {
  constructor(readonly phoneNumber: string) {
    super(HttpStatus.BAD_REQUEST, `The number ${phoneNumber} is not on WhatsApp`);
  }
}

export class InvalidRecipient extends DomainError {
  constructor(field = 'to') {
    super(HttpStatus.BAD_REQUEST, 'Validation failed', undefined, [
      {
        field,
        messages: [
          `${field} must be a phone number (6281234567890, +62 812-3456-7890, 081234567890), a group JID (…@g.us), a user JID (…@s.whatsapp.net) or a LID (…@lid)`,
        ],
      },
    ]);
  }
}

export class MessageNotFound extends DomainError {
  constructor(readonly messageId: string) {
    super(HttpStatus.NOT_FOUND, `Message ${messageId} not found`);
  }
}

export class NotOwnMessage extends DomainError {
  constructor(action: string) {
    super(HttpStatus.BAD_REQUEST, `Only messages sent from this session can be ${action}`);
  }
}

export class BadSendRequest extends DomainError {
  constructor(field: string, message: string) {
    super(HttpStatus.BAD_REQUEST, 'Validation failed', undefined, [{ field, messages: [message] }]);
  }
}

export class WhatsAppFailed extends DomainError {
  constructor(what: string, reason: string) {
    super(HttpStatus.SERVICE_UNAVAILABLE, `WhatsApp could not ${what}`, reason);
  }
}

export class SendQueueFull extends DomainError {
  constructor(limit: number) {
    super(
      HttpStatus.TOO_MANY_REQUESTS,
      `The send queue of this session is full (${limit} messages): try again later`,
    );
  }
}

export class SendTimedOut extends DomainError {
  constructor(ms: number) {
    super(HttpStatus.GATEWAY_TIMEOUT, `The message could not be sent within ${ms} ms`);
  }
}

export class MessageHasNoMedia extends DomainError {
  constructor(readonly messageId: string) {
    super(HttpStatus.NOT_FOUND, `Message ${messageId} has no media`);
  }
}

export class MediaExpired extends DomainError {
  constructor(messageId: string, reason: string) {
    super(HttpStatus.GONE, `The media of message ${messageId} can no longer be downloaded`, reason);
  }
}

export class MediaUnreachable extends DomainError {
  constructor(messageId: string, reason: string) {
    super(
      HttpStatus.BAD_GATEWAY,
      `The media of message ${messageId} could not be downloaded`,
      reason,
    );
  }
}
