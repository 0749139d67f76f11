import { HttpStatus } from '@nestjs/common';

/** One field that failed validation. */
export interface FieldError {
  field: string;
  messages: string[];
}

/**
 * An error the API reports on purpose. The global filter turns it into
 * `{"success": false, "message": ..., "error"?: ..., "errors"?: ...}` with `status`.
 */
export class DomainError extends Error {
  constructor(
    readonly status: HttpStatus,
    message: string,
    readonly detail?: string,
    readonly fieldErrors?: FieldError[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidApiKey extends DomainError {
  constructor() {
    super(HttpStatus.UNAUTHORIZED, 'Invalid API key');
  }
}

export class ValidationFailed extends DomainError {
  constructor(fieldErrors: FieldError[]) {
    super(HttpStatus.BAD_REQUEST, 'Validation failed', undefined, fieldErrors);
  }
}

export class SessionNotFound extends DomainError {
  constructor(readonly sessionId: string) {
    super(HttpStatus.NOT_FOUND, 'Session not found');
  }
}

/**
 * A session that cannot do this now (CONTRACT §4's documented message, seed 000's wording), for
 * sends, grabs and engine calls alike.
 */
export class SessionNotConnected extends DomainError {
  constructor(readonly state: string) {
    super(HttpStatus.BAD_REQUEST, `Session tidak terhubung. Status: ${state}`);
  }
}

export class SessionAlreadyExists extends DomainError {
  constructor(readonly sessionId: string) {
    super(HttpStatus.CONFLICT, `Session ${sessionId} already exists`);
  }
}

export class InvalidSessionId extends DomainError {
  constructor() {
    super(
      HttpStatus.BAD_REQUEST,
      'Invalid session id: use 1-100 characters from A-Z, a-z, 0-9, "_", "." and "-" ("all" and "connected" are reserved)',
    );
  }
}

export class NoQrPending extends DomainError {
  constructor(state: string) {
    super(HttpStatus.CONFLICT, `No QR code pending: session is ${state}`);
  }
}

export class InvalidPhoneNumber extends DomainError {
  constructor(field = 'phoneNumber') {
    super(HttpStatus.BAD_REQUEST, 'Validation failed', undefined, [
      {
        field,
        messages: [
          `${field} must be a phone number such as 6281234567890, +62 812-3456-7890 or 081234567890`,
        ],
      },
    ]);
  }
}
