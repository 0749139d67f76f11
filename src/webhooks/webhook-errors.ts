import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-errors';

export class WebhookNotFound extends DomainError {
  constructor() {
    super(HttpStatus.NOT_FOUND, 'Webhook not found');
  }
}

export class DeliveryNotFound extends DomainError {
  constructor() {
    super(HttpStatus.NOT_FOUND, 'Delivery not found');
  }
}

/** An ingested event that cannot be processed as sent; `detail` says why. */
export class MalformedWebhookEvent extends DomainError {
  constructor(detail: string) {
    super(HttpStatus.BAD_REQUEST, 'Malformed webhook event', detail);
  }
}
