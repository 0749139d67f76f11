import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-errors';

export class GrabTimedOut extends DomainError {
  constructor(timeoutMs: number) {
    super(
      HttpStatus.GATEWAY_TIMEOUT,
      `The grab did not finish within ${timeoutMs} ms; what it saved so far is kept and it goes on in the background`,
    );
  }
}

export class WhatsappUnavailable extends DomainError {
  constructor(detail: string) {
    super(HttpStatus.SERVICE_UNAVAILABLE, 'WhatsApp did not answer', detail);
  }
}
